# bash completion for bulkhead. Commands and options are read from the binary's own --help output, option
# values from its usage errors, and the rule ids and names `explain`, `scan --enable` and `--disable` take
# from `bulkhead rules` (the rule registry), so they cannot drift. Install: source this file, or copy it to
# /usr/share/bash-completion/completions/bulkhead.
_bulkhead()
{
	local cur=${COMP_WORDS[COMP_CWORD]} bin=${COMP_WORDS[0]}
	if [ "$COMP_CWORD" = 1 ]; then
		local cmds
		cmds=$("$bin" --help 2>/dev/null | awk '/^commands:/ {on=1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on=0}')
		COMPREPLY=($(compgen -W "$cmds help --help --version" -- "$cur"))
		return
	fi
	local prev=${COMP_WORDS[COMP_CWORD - 1]}
	case $prev in
	--format | --fail-on | --severity | --color | --level)
		# the values the binary itself names when given one it does not know: "unknown --x '?' (a, b, c)"
		local vals
		vals=$("$bin" "${COMP_WORDS[1]}" "$prev" '?' /dev/null 2>&1 </dev/null | sed -n "s/.*'?' (\(.*\)).*/\1/p" | tr -d ,)
		COMPREPLY=($(compgen -W "$vals" -- "$cur"))
		return
		;;
	--pss)
		COMPREPLY=($(compgen -W "baseline restricted privileged none" -- "$cur"))
		return
		;;
	--enable | --disable)
		# rule ids, names and the areas scan reports (from the rule registry)
		local rules
		rules=$("$bin" rules 2>/dev/null | awk '$3 == "scan" && /^BH[0-9]/ {print $1; print $4}')
		COMPREPLY=($(compgen -W "$rules manifest pss" -- "$cur"))
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		local opts
		opts=$("$bin" "${COMP_WORDS[1]}" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	if [ "${COMP_WORDS[1]}" = explain ] && [[ ${COMP_WORDS[COMP_CWORD - 1]} != --format ]]; then
		# rule ids and names of every area, from the rule registry
		local rules
		rules=$("$bin" rules 2>/dev/null | awk '/^BH[0-9]/ {print $1; print $4}')
		COMPREPLY=($(compgen -W "$rules" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _bulkhead bulkhead
