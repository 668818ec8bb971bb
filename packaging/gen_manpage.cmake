# Writes the man page preloop-hook.1.gz with help2man from the CLI's own --help
# and --version, so the page always matches the binary; each command's --help
# goes into a COMMANDS section. Nothing of the build tree appears in it (the
# CLI names itself "preloop-hook"), and the date comes from SOURCE_DATE_EPOCH
# when set. Run as:
#   cmake -DBIN=<preloop-hook> -DOUT=<dir> -DHELP2MAN=<help2man> -P gen_manpage.cmake

function(run_help out_var)
  execute_process(COMMAND ${BIN} ${ARGN} --help OUTPUT_VARIABLE text ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "'preloop-hook ${ARGN} --help' failed (${rc}): ${err}")
  endif()
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

# Names listed under CLI11's "Subcommands:" heading.
function(subcommands help out_var)
  string(REPLACE "\n" ";" lines "${help}")
  set(names)
  set(in_list OFF)
  foreach(line IN LISTS lines)
    if(line MATCHES "^(Subcommands|SUBCOMMANDS):?$")
      set(in_list ON)
    elseif(in_list AND line MATCHES "^  ([a-z][a-z0-9-]*)")
      list(APPEND names ${CMAKE_MATCH_1})
    elseif(in_list AND NOT line MATCHES "^ ")
      set(in_list OFF)
    endif()
  endforeach()
  set(${out_var} ${names} PARENT_SCOPE)
endfunction()

# Help text as a no-fill troff block.
function(troff_block text out_var)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out_var} ".nf\n${text}\n.fi\n" PARENT_SCOPE)
endfunction()

run_help(top)
string(REGEX MATCH "^[^\n]*" summary "${top}")
string(REGEX REPLACE "^preloop-hook: *" "" summary "${summary}")

string(CONCAT inc "[DESCRIPTION]\n"
  "preloop\\-hook is run by Claude Code as its PreToolUse and PostToolUse hook. "
  "It evaluates each pending tool call against policies and built\\-in rule packs, "
  "records the decision in a local audit store, asks a remote approval service when a rule requires it, "
  "and masks secrets. Set it up with \\fBpreloop\\-hook install\\fR and check it with \\fBpreloop\\-hook doctor\\fR.\n")
string(APPEND inc "[COMMANDS]\n")
subcommands("${top}" commands)
foreach(cmd IN LISTS commands)
  run_help(help ${cmd})
  string(APPEND inc ".SS ${cmd}\n")
  troff_block("${help}" block)
  string(APPEND inc "${block}")
  subcommands("${help}" nested)
  foreach(sub IN LISTS nested)
    run_help(subhelp ${cmd} ${sub})
    string(APPEND inc ".SS \"${cmd} ${sub}\"\n")
    troff_block("${subhelp}" block)
    string(APPEND inc "${block}")
  endforeach()
endforeach()
string(APPEND inc "[FILES]\n"
  ".TP\n.I ~/.config/preloop\\-hook/config.yaml\nsettings (\\fB$XDG_CONFIG_HOME\\fR is honoured)\n"
  ".TP\n.I ~/.config/preloop\\-hook/rules/\nyour policies\n"
  ".TP\n.I /etc/preloop\\-hook/\nmanaged settings and policies, which take precedence\n"
  ".TP\n.I ~/.local/share/preloop\\-hook/audit.db\nthe audit store\n"
  ".TP\n.I ~/.claude/settings.json\nClaude Code settings edited by \\fBinstall\\fR and \\fBuninstall\\fR\n")
string(APPEND inc "[EXIT STATUS]\n"
  "As a hook: 0 with a JSON decision on standard output, or 2 with the reason on standard error when the call is "
  "blocked (any internal error blocks unless \\fBfail_mode: open\\fR is set). Other commands: 0 on success, 1 on failure.\n")
file(WRITE ${OUT}/preloop-hook.h2m "${inc}")

execute_process(COMMAND ${HELP2MAN} --no-info --no-discard-stderr --section=1 --name=${summary}
                        --include=${OUT}/preloop-hook.h2m --output=${OUT}/preloop-hook.1 ${BIN}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed: ${err}")
endif()
execute_process(COMMAND gzip -9nf ${OUT}/preloop-hook.1 RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip failed on ${OUT}/preloop-hook.1")
endif()
