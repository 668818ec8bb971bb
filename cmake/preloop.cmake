# Shared build settings and helpers for the preloop-hook tree.
include_guard(GLOBAL)

# yaml-cpp and nlohmann headers trip these two in g++ 12 at -O2 (false positives in inlined library code).
set(PRELOOP_WARNINGS -Wall -Wextra -Wno-unused-parameter
  $<$<CXX_COMPILER_ID:GNU>:-Wno-dangling-pointer -Wno-maybe-uninitialized>)
if(PRELOOP_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  # Sanitized processes start ~20x slower: tests that start thousands scale down.
  add_compile_definitions(PRELOOP_SANITIZED=1)
  # Position-dependent too: as a PIE the sanitized hook applies 3.5 million
  # relative relocations at every start (the pointers in the sanitizers' check
  # data), half the CPU time of a sanitized hook call.
  add_compile_options(-fno-pie)
  add_link_options(-no-pie)
elseif(NOT PRELOOP_FUZZ)
  # The hook starts on every tool call. A position-dependent executable has no
  # relative relocations to apply (a PIE of this size has ~7,000, each a
  # copy-on-write page fault waiting to happen), and one section per function
  # lets the linker drop unused code (--gc-sections on the hook binary).
  add_compile_options(-fno-pie -ffunction-sections -fdata-sections)
  add_link_options(-no-pie)
endif()

# lld links the ~50 test programs in a third of ld.bfd's time.
include(CheckLinkerFlag)
check_linker_flag(CXX "-fuse-ld=lld" PRELOOP_HAVE_LLD)
if(PRELOOP_HAVE_LLD)
  add_link_options(-fuse-ld=lld)
endif()

# Third-party libraries. The hook binary links them statically where Debian
# ships an archive: every shared object costs start-up time on each tool call.
find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(doctest REQUIRED)
find_package(Threads REQUIRED)
find_path(CURL_INCLUDE_DIR curl/curl.h REQUIRED)

if(PRELOOP_SANITIZE)
  set(_static_suffix .so)
else()
  set(_static_suffix .a)
endif()
find_library(RE2_LIB NAMES libre2${_static_suffix} re2 REQUIRED)
find_library(YAMLCPP_LIB NAMES libyaml-cpp${_static_suffix} yaml-cpp REQUIRED)
find_library(SQLITE3_LIB NAMES libsqlite3${_static_suffix} sqlite3 REQUIRED)
find_library(NETTLE_LIB NAMES libnettle${_static_suffix} nettle REQUIRED)
find_path(RE2_INCLUDE_DIR re2/re2.h REQUIRED)
find_path(NETTLE_INCLUDE_DIR nettle/sha2.h REQUIRED)
find_path(YAMLCPP_INCLUDE_DIR yaml-cpp/yaml.h REQUIRED)
find_path(SQLITE3_INCLUDE_DIR sqlite3.h REQUIRED)

add_library(dep_re2 INTERFACE)
target_link_libraries(dep_re2 INTERFACE ${RE2_LIB} Threads::Threads)
target_include_directories(dep_re2 SYSTEM INTERFACE ${RE2_INCLUDE_DIR})
add_library(dep_yaml INTERFACE)
target_link_libraries(dep_yaml INTERFACE ${YAMLCPP_LIB})
target_include_directories(dep_yaml SYSTEM INTERFACE ${YAMLCPP_INCLUDE_DIR})
add_library(dep_sqlite INTERFACE)
target_link_libraries(dep_sqlite INTERFACE ${SQLITE3_LIB} ${CMAKE_DL_LIBS} Threads::Threads)
target_include_directories(dep_sqlite SYSTEM INTERFACE ${SQLITE3_INCLUDE_DIR})
# nettle: SHA-256 and HMAC for the audit chain (static: no loader cost).
add_library(dep_nettle INTERFACE)
target_link_libraries(dep_nettle INTERFACE ${NETTLE_LIB})
target_include_directories(dep_nettle SYSTEM INTERFACE ${NETTLE_INCLUDE_DIR})
# fmt is used header-only: Debian ships no static archive and the shared one costs start-up.
add_library(dep_fmt INTERFACE)
target_compile_definitions(dep_fmt INTERFACE FMT_HEADER_ONLY=1)
# libcurl headers only: the library itself is dlopen()ed when a request is made.
add_library(dep_curl_headers INTERFACE)
target_include_directories(dep_curl_headers SYSTEM INTERFACE ${CURL_INCLUDE_DIR})
target_link_libraries(dep_curl_headers INTERFACE ${CMAKE_DL_LIBS})

# nlohmann/json, yaml-cpp and the standard headers most library sources use,
# parsed once for all of them (about 1.5 s per source otherwise). Off with a
# compiler launcher such as ccache, like the tests' (below).
if(NOT CMAKE_CXX_COMPILER_LAUNCHER AND NOT PRELOOP_FUZZ)
  file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/lib_pch.cpp CONTENT "// holds the libraries' precompiled headers\n")
  add_library(preloop_lib_pch STATIC ${PROJECT_BINARY_DIR}/lib_pch.cpp)
  target_compile_options(preloop_lib_pch PRIVATE ${PRELOOP_WARNINGS})
  target_link_libraries(preloop_lib_pch PRIVATE nlohmann_json::nlohmann_json dep_yaml)
  target_precompile_headers(preloop_lib_pch PRIVATE <nlohmann/json.hpp> <yaml-cpp/yaml.h>
    <algorithm> <chrono> <filesystem> <functional> <map> <optional> <set> <sstream> <string>
    <string_view> <unordered_map> <vector>)
endif()

# preloop_library(NAME [DEPS ...] [TEST_DEPS ...])
#   The static library preloop_NAME from lib/NAME/*.cpp (headers included as
#   "NAME/header.h"), and, when lib/NAME/*_test.cpp exist, the doctest
#   executable NAME_test registered with ctest under the label "unit".
function(preloop_library name)
  cmake_parse_arguments(A "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB _all CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  set(_src)
  set(_tests)
  foreach(f ${_all})
    if(f MATCHES "_test\\.cpp$")
      list(APPEND _tests ${f})
    else()
      list(APPEND _src ${f})
    endif()
  endforeach()
  add_library(preloop_${name} STATIC ${_src})
  target_include_directories(preloop_${name} PUBLIC ${PROJECT_SOURCE_DIR}/lib)
  target_compile_options(preloop_${name} PRIVATE ${PRELOOP_WARNINGS})
  if(TARGET preloop_lib_pch)
    target_precompile_headers(preloop_${name} REUSE_FROM preloop_lib_pch)
  endif()
  target_link_libraries(preloop_${name} PUBLIC ${A_DEPS})
  if(_tests)
    preloop_test(${name}_test SOURCES ${_tests} DEPS preloop_${name} ${A_TEST_DEPS})
  endif()
endfunction()

# The tests' own code is compiled unoptimised in optimised builds (half their
# compile time): the libraries and programs under test keep the build's flags.
set(PRELOOP_TEST_OPTIONS ${PRELOOP_WARNINGS} $<$<CONFIG:Release,RelWithDebInfo>:-O0>)

# doctest's main() and the process helpers, compiled once for every test.
add_library(preloop_test_support STATIC ${PROJECT_SOURCE_DIR}/tests/support/doctest_main.cpp
  ${PROJECT_SOURCE_DIR}/tests/support/process.cpp)
target_include_directories(preloop_test_support PUBLIC ${PROJECT_SOURCE_DIR}/tests)
target_compile_options(preloop_test_support PRIVATE ${PRELOOP_TEST_OPTIONS})
target_link_libraries(preloop_test_support PUBLIC doctest::doctest)

# doctest and nlohmann/json parsed once for every test (about 4 s per test file otherwise).
# Off when a compiler launcher such as ccache is set: it caches whole compiles instead.
if(NOT CMAKE_CXX_COMPILER_LAUNCHER AND NOT PRELOOP_FUZZ)
  add_library(preloop_test_pch STATIC ${PROJECT_SOURCE_DIR}/tests/support/pch.cpp)
  target_include_directories(preloop_test_pch PRIVATE ${PROJECT_SOURCE_DIR}/lib ${PROJECT_SOURCE_DIR}/tests)
  target_compile_options(preloop_test_pch PRIVATE ${PRELOOP_TEST_OPTIONS})
  target_compile_definitions(preloop_test_pch PRIVATE
    PRELOOP_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    PRELOOP_BINARY_DIR="${PROJECT_BINARY_DIR}")
  target_link_libraries(preloop_test_pch PRIVATE doctest::doctest)
  target_precompile_headers(preloop_test_pch PRIVATE <doctest/doctest.h> <nlohmann/json.hpp>)
endif()

# preloop_test(NAME SOURCES ... DEPS ... [LABELS ...] [TIMEOUT s])
#   A doctest executable registered with ctest (label "unit" unless given).
function(preloop_test name)
  cmake_parse_arguments(A "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  # Test sources name their helpers alike: never one unity unit (CMAKE_UNITY_BUILD covers the libraries).
  set_target_properties(${name} PROPERTIES UNITY_BUILD OFF)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/lib ${PROJECT_SOURCE_DIR}/tests)
  target_compile_options(${name} PRIVATE ${PRELOOP_TEST_OPTIONS})
  target_link_libraries(${name} PRIVATE ${A_DEPS} preloop_test_support doctest::doctest)
  target_compile_definitions(${name} PRIVATE
    PRELOOP_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    PRELOOP_BINARY_DIR="${PROJECT_BINARY_DIR}")
  if(TARGET preloop_test_pch)
    target_precompile_headers(${name} REUSE_FROM preloop_test_pch)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  if(NOT A_LABELS)
    set(A_LABELS unit)
  endif()
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${A_LABELS}" TIMEOUT ${A_TIMEOUT}
    ENVIRONMENT "PRELOOP_HOOK_BIN=$<TARGET_FILE:preloop-hook>;XDG_STATE_HOME=${PROJECT_BINARY_DIR}/test-state")
endfunction()

# preloop_test_cost(NAME SECONDS SANITIZED_SECONDS)
#   The test's run time on two cores, in an optimised and in a sanitized build.
#   ctest -j starts tests in descending COST: long tests first, instead of a clean
#   tree's declaration order that can end on one long test running alone.
function(preloop_test_cost name seconds sanitized_seconds)
  if(PRELOOP_SANITIZE)
    set(seconds ${sanitized_seconds})
  endif()
  set_tests_properties(${name} PROPERTIES COST ${seconds})
endfunction()
