# bash completion for bulkhead. Commands and options are read from the binary's own --help output, so
# they cannot drift from the command table. Install: source this file, or copy it to
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
	if [[ $cur == -* ]]; then
		local opts
		opts=$("$bin" "${COMP_WORDS[1]}" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _bulkhead bulkhead
