# bash completion for preloop-hook
_preloop_hook() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion || return
  else
    cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
  fi
  local commands="hook test rules audit sync scan install uninstall doctor"
  local cmd="" sub="" i
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      -*) ;;
      *) if [[ -z $cmd ]]; then cmd=${words[i]}; elif [[ -z $sub ]]; then sub=${words[i]}; fi ;;
    esac
  done
  case $prev in
    --scope) COMPREPLY=($(compgen -W "user project local managed" -- "$cur")); return ;;
    --format)
      if [[ $cmd == scan ]]; then COMPREPLY=($(compgen -W "text json sarif" -- "$cur"))
      else COMPREPLY=($(compgen -W "csv json jsonl" -- "$cur")); fi
      return ;;
    --decision)
      COMPREPLY=($(compgen -W "allow ask deny none pass approved declined timed_out unreachable auth_error not_configured reused would_allow would_ask would_deny would_pass" -- "$cur"))
      return ;;
    --suite|-o|--output|--db|--policy) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
    return
  fi
  case $cmd in
    audit)
      if [[ -z $sub ]]; then
        COMPREPLY=($(compgen -W "list show tail stats export verify fold prune replay forward session blame report --db --help" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "--since --until --tool --decision --session --rule --json --limit --format --output --older-than --dry-run --sink --follow --help" -- "$cur"))
      fi ;;
    rules)
      if [[ -z $sub ]]; then COMPREPLY=($(compgen -W "validate packs --help" -- "$cur"))
      else COMPREPLY=($(compgen -f -- "$cur")); fi ;;
    install|uninstall) COMPREPLY=($(compgen -W "--scope --dry-run --managed-hooks-only --help" -- "$cur")) ;;
    doctor) COMPREPLY=($(compgen -W "--json --user --help" -- "$cur")) ;;
    scan) COMPREPLY=($(compgen -W "--format --mask --help" -- "$cur") $(compgen -f -- "$cur")) ;;
    sync) COMPREPLY=($(compgen -W "--status --help" -- "$cur")) ;;
    test) COMPREPLY=($(compgen -W "--tool --input --json --suite --help" -- "$cur")) ;;
  esac
}
complete -F _preloop_hook preloop-hook
