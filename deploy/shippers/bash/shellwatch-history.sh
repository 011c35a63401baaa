# Shellwatch: send each command of interactive bash sessions to syslog.
# Install as /etc/profile.d/shellwatch-history.sh (mode 0644), and source it
# from /etc/bash.bashrc too (non-login interactive shells do not read
# /etc/profile.d):  [ -r /etc/profile.d/shellwatch-history.sh ] && . /etc/profile.d/shellwatch-history.sh
#
# Each command becomes one syslog message, program "bash-history", facility
# local6, in the shape Shellwatch's bash-history decoder reads:
#   alice [4321]: /srv/app: sudo systemctl restart nginx [0]
#   user  [shell pid]: working directory: command [exit code of the command]
# The rsyslog drop-ins of deploy/shippers/rsyslog forward program
# "bash-history" to Kafka.
#
# This is an audit trail of what people type, not a control: anyone can start
# a shell that does not read this file. snoopy or auditd (deploy/shippers)
# record every execve() whatever the shell.

if [ -n "${BASH_VERSION-}" ] && [[ $- == *i* ]] && [ -z "${__shellwatch_history_loaded-}" ]; then
  __shellwatch_history_loaded=1

  # Commands starting with a space or repeating the previous one must reach the
  # history list (and so this log): ignorespace would let anyone hide a command.
  HISTCONTROL=
  HISTIGNORE=

  __shellwatch_history_log() {
    local rc=$? entry number command where=''
    entry=$(HISTTIMEFORMAT='' builtin history 1)
    if [[ $entry =~ ^[[:space:]]*([0-9]+)\*?[[:space:]]+(.*)$ ]]; then
      number=${BASH_REMATCH[1]}
      command=${BASH_REMATCH[2]}
      # A new history number means a new command (not just Enter at the prompt).
      if [[ $number != "${__shellwatch_history_last-}" ]]; then
        __shellwatch_history_last=$number
        # The working directory only when Shellwatch can tell it from the
        # command: no white space and no ":" in it.
        [[ $PWD != *[[:space:]:]* ]] && where="$PWD: "
        logger -p local6.info -t bash-history -- "$(id -un) [$$]: ${where}${command} [${rc}]"
      fi
    fi
    return "$rc"
  }

  # For filebeat reading ~/.bash_history (deploy/shippers/filebeat): append
  # each command to the file at once (`history -a`) instead of at logout, and
  # keep the file from being rewritten from its start too often.
  shopt -s histappend
  HISTFILESIZE=100000
  HISTSIZE=10000

  # The logger first, so that $? is still the command's exit code.
  PROMPT_COMMAND="__shellwatch_history_log; history -a${PROMPT_COMMAND:+; $PROMPT_COMMAND}"
fi

# Bash's own syslog history: when bash was built with SYSLOG_HISTORY (in
# config-top.h; several distributions' builds and custom packages do), bash
# itself logs "HISTORY: PID=... UID=... command" for every line added to the
# history, program "bash" or "-bash". Since bash 5.1 a build with SYSLOG_SHOPT
# lets it be turned on and off; turn it on where the option exists:
if [ -n "${BASH_VERSION-}" ] && shopt syslog_history >/dev/null 2>&1; then
  shopt -s syslog_history
fi
# Debian and Ubuntu build bash without it (`shopt syslog_history` says
# "invalid shell option name"): use the PROMPT_COMMAND recipe above there.
# Use one of the two on a host, not both, or each command is reported twice.
