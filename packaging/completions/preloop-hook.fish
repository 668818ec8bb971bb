# fish completion for preloop-hook
set -l commands hook test rules audit sync scan install uninstall doctor
complete -c preloop-hook -f
complete -c preloop-hook -n "not __fish_seen_subcommand_from $commands" -l version -d 'show the version and commit'
complete -c preloop-hook -n "not __fish_seen_subcommand_from $commands" -a hook -d 'answer one Claude Code hook event'
complete -c preloop-hook -n "not __fish_seen_subcommand_from $commands" -a test -d 'dry-run the policies on a tool call'
complete -c preloop-hook -n "not __fish_seen_subcommand_from $commands" -a rules -d 'check policy files and rule packs'
complete -c preloop-hook -n "not __fish_seen_subcommand_from $commands" -a audit -d 'the local audit trail'
complete -c preloop-hook -n "not __fish_seen_subcommand_from $commands" -a sync -d 'download the account policy'
complete -c preloop-hook -n "not __fish_seen_subcommand_from $commands" -a scan -d 'report secrets in files or stdin'
complete -c preloop-hook -n "not __fish_seen_subcommand_from $commands" -a install -d 'add the hooks to Claude Code settings'
complete -c preloop-hook -n "not __fish_seen_subcommand_from $commands" -a uninstall -d 'remove the hooks'
complete -c preloop-hook -n "not __fish_seen_subcommand_from $commands" -a doctor -d 'check the installation'
set -l audit_commands list show tail stats export verify fold prune replay forward session blame report
complete -c preloop-hook -n "__fish_seen_subcommand_from audit; and not __fish_seen_subcommand_from $audit_commands" -a "$audit_commands"
complete -c preloop-hook -n "__fish_seen_subcommand_from audit" -l decision -x -a 'allow ask deny none pass approved declined timed_out unreachable auth_error not_configured reused would_allow would_ask would_deny would_pass'
complete -c preloop-hook -n "__fish_seen_subcommand_from audit" -l since -x
complete -c preloop-hook -n "__fish_seen_subcommand_from audit" -l until -x
complete -c preloop-hook -n "__fish_seen_subcommand_from audit" -l tool -x
complete -c preloop-hook -n "__fish_seen_subcommand_from audit" -l json
complete -c preloop-hook -n "__fish_seen_subcommand_from audit" -l dry-run
complete -c preloop-hook -n "__fish_seen_subcommand_from audit" -l older-than -x
complete -c preloop-hook -n "__fish_seen_subcommand_from rules; and not __fish_seen_subcommand_from validate packs" -a 'validate packs'
complete -c preloop-hook -n "__fish_seen_subcommand_from install uninstall" -l scope -x -a 'user project local managed'
complete -c preloop-hook -n "__fish_seen_subcommand_from install uninstall" -l dry-run
complete -c preloop-hook -n "__fish_seen_subcommand_from doctor" -l json
complete -c preloop-hook -n "__fish_seen_subcommand_from scan" -l format -x -a 'text json sarif'
complete -c preloop-hook -n "__fish_seen_subcommand_from scan" -l mask
complete -c preloop-hook -n "__fish_seen_subcommand_from scan" -F
