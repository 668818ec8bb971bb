# Writes preloop_commit.h with PRELOOP_COMMIT: the commit the binary is built
# from (`git describe --always --dirty`), PRELOOP_COMMIT_OVERRIDE when given
# (a source tarball), else "unknown". Rewritten only when it changes, so an
# unchanged tree rebuilds nothing. Run as:
#   cmake -DSRC=<source dir> -DOUT=<header> [-DPRELOOP_COMMIT_OVERRIDE=x] -P git_commit.cmake
set(commit "${PRELOOP_COMMIT_OVERRIDE}")
if(commit STREQUAL "")
  execute_process(COMMAND git -C "${SRC}" describe --always --dirty --abbrev=12 --exclude "*"
                  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR commit STREQUAL "")
    set(commit "unknown")
  endif()
endif()
set(text "#pragma once\n#define PRELOOP_COMMIT \"${commit}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
