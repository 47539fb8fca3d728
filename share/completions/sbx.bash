# bash completion for sbx
_sbx() {
	local cur prev cmds
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	cmds="run explain check policy allow deny shims shell-init session doctor log --help --version"
	if [ "$COMP_CWORD" -eq 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W "$cmds" -- "$cur")
		return
	fi
	case $prev in
	-p | --profile)
		mapfile -t COMPREPLY < <(compgen -W "read-only workspace-write full-access" -- "$cur")
		return ;;
	-n | --network)
		mapfile -t COMPREPLY < <(compgen -W "on off" -- "$cur")
		return ;;
	-w | --writable | -d | --dir)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return ;;
	esac
	case ${COMP_WORDS[1]} in
	run | session)
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "-p --profile -w --writable -n --network --dir --no-intercept --no-check --log --" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -c -- "$cur")
		fi ;;
	explain | policy | shims)
		mapfile -t COMPREPLY < <(compgen -c -W "--dir --list" -- "$cur") ;;
	allow | deny)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	shell-init)
		mapfile -t COMPREPLY < <(compgen -W "bash zsh fish" -- "$cur") ;;
	esac
}
complete -F _sbx sbx
