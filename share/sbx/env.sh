# shellcheck shell=sh
# sbx: read by bash (BASH_ENV: "bash -c", "bash -lc") and before each prompt
# of an interactive bash (PROMPT_COMMAND) in an agent's session. The user's
# start-up files may have moved the shim folder down PATH (/etc/profile
# resets PATH; pyenv, nvm and venvs prepend theirs): put it first again.
# Inside a sandbox (SBX_SANDBOX set) tools run directly: nothing to do.
if [ -n "${SBX_USER_BASH_ENV:-}" ] && [ -r "$SBX_USER_BASH_ENV" ]; then
	# shellcheck disable=SC1090 # the user's own BASH_ENV
	. "$SBX_USER_BASH_ENV"
fi
if [ -n "${SBX_SHIM_DIR:-}" ] && [ -z "${SBX_SANDBOX:-}" ]; then
	case ":$PATH:" in
	":$SBX_SHIM_DIR:"*) ;;
	*) PATH="$SBX_SHIM_DIR:$PATH" ;;
	esac
fi
