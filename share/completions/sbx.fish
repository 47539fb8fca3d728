# fish completion for sbx
set -l cmds run explain check policy allow deny shims shell-init session doctor log
complete -c sbx -f
complete -c sbx -n "not __fish_seen_subcommand_from $cmds" -a run -d 'run a command under the policy a shim would give it'
complete -c sbx -n "not __fish_seen_subcommand_from $cmds" -a explain -d 'show the policy for a tool'
complete -c sbx -n "not __fish_seen_subcommand_from $cmds" -a policy -d 'print the Seatbelt profile'
complete -c sbx -n "not __fish_seen_subcommand_from $cmds" -a allow -d 'trust a project .sbxrc'
complete -c sbx -n "not __fish_seen_subcommand_from $cmds" -a deny -d 'take that trust back'
complete -c sbx -n "not __fish_seen_subcommand_from $cmds" -a shims -d 'create or refresh the shim links'
complete -c sbx -n "not __fish_seen_subcommand_from $cmds" -a shell-init -d 'print what to eval in a shell'
complete -c sbx -n "not __fish_seen_subcommand_from $cmds" -a session -d 'run an agent whose build tools run sandboxed'
complete -c sbx -n "not __fish_seen_subcommand_from $cmds" -a doctor -d 'check this machine and setup'
complete -c sbx -n "not __fish_seen_subcommand_from $cmds" -a log -d 'the denials the kernel recorded'
complete -c sbx -n "__fish_seen_subcommand_from run" -s p -l profile -xa 'read-only workspace-write full-access'
complete -c sbx -n "__fish_seen_subcommand_from run" -s n -l network -xa 'on off'
complete -c sbx -n "__fish_seen_subcommand_from run" -s w -l writable -xa '(__fish_complete_directories)'
complete -c sbx -n "__fish_seen_subcommand_from session" -l no-intercept -d 'the PATH layer only'
complete -c sbx -n "__fish_seen_subcommand_from session" -l no-check -d 'skip the shells check'
complete -c sbx -n "__fish_seen_subcommand_from session" -l log -d 'print denials as they happen (or to a file)'
complete -c sbx -n "__fish_seen_subcommand_from run session explain policy" -a '(__fish_complete_command)'
complete -c sbx -n "__fish_seen_subcommand_from allow deny" -F
complete -c sbx -n "__fish_seen_subcommand_from shell-init" -xa 'bash zsh fish'
