/**
 * The absolute paths a glob on a command line is matched against (match-globs.ts): a
 * file an attacker hides behind `/etc/shado[w]` or a program behind `/???/c?t` is one
 * of these. Built in rather than read from the rule set's lists: the parser is a pure
 * function of the line (its result is cached per event and shared by every rule set,
 * and the prefilter relies on that), and a list here costs nothing until a word with
 * glob characters shows up. Keep entries absolute and literal (no glob characters).
 */

/** Directories that hold programs; each {@link PROGRAMS} name is listed under each. */
const PROGRAM_DIRECTORIES = [
  '/bin',
  '/sbin',
  '/usr/bin',
  '/usr/sbin',
  '/usr/local/bin',
  '/usr/local/sbin',
] as const;

/** Programs worth seeing through a glob: shells, file readers, network and admin tools. */
const PROGRAMS = [
  ...['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'csh', 'tcsh', 'fish', 'busybox'],
  ...['cat', 'tac', 'head', 'tail', 'less', 'more', 'nl', 'od', 'xxd', 'hexdump', 'strings'],
  ...['base64', 'base32', 'basenc', 'cp', 'mv', 'rm', 'ln', 'chmod', 'chown', 'chattr', 'dd'],
  ...['shred', 'truncate', 'touch', 'mkdir', 'find', 'xargs', 'tar', 'gzip', 'zip', 'unzip'],
  ...['curl', 'wget', 'nc', 'ncat', 'netcat', 'socat', 'ssh', 'scp', 'sftp', 'rsync', 'ftp'],
  ...['tftp', 'telnet', 'openssl', 'python', 'python2', 'python3', 'perl', 'ruby', 'php'],
  ...['lua', 'node', 'awk', 'gawk', 'mawk', 'sed', 'grep', 'id', 'whoami', 'uname', 'hostname'],
  ...['w', 'who', 'last', 'ps', 'ifconfig', 'ip', 'netstat', 'ss', 'arp', 'crontab', 'at'],
  ...['systemctl', 'service', 'journalctl', 'useradd', 'userdel', 'usermod', 'passwd'],
  ...['chpasswd', 'groupadd', 'gpasswd', 'visudo', 'sudo', 'su', 'doas', 'insmod', 'rmmod'],
  ...['modprobe', 'iptables', 'ip6tables', 'nft', 'ufw', 'setenforce', 'auditctl', 'kill'],
  ...['pkill', 'killall', 'nohup', 'env', 'timeout', 'mount', 'ls', 'echo', 'printf', 'vi'],
  ...['vim', 'tcpdump', 'tshark', 'nmap', 'docker', 'kubectl', 'gcc', 'sshd', 'setsid'],
] as const;

/** Files and directories the rules name: accounts, auth, persistence, logs, kernel, secrets. */
const FILES = [
  ...['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow', '/etc/sudoers'],
  ...['/etc/passwd-', '/etc/shadow-', '/etc/gshadow-', '/etc/sudoers.d', '/etc/security/opasswd'],
  ...['/etc/ssh/sshd_config', '/etc/ssh/ssh_config', '/etc/pam.d/common-auth', '/etc/pam.d/sshd'],
  ...['/etc/pam.d/system-auth', '/etc/pam.d/password-auth', '/etc/pam.d/sudo', '/etc/pam.d/su'],
  ...['/etc/pam.d/login', '/etc/pam.d/common-password', '/etc/login.defs', '/etc/shells'],
  ...['/etc/crontab', '/etc/cron.d', '/etc/cron.daily', '/etc/cron.hourly', '/etc/anacrontab'],
  ...['/etc/rc.local', '/etc/rc.common', '/etc/profile', '/etc/profile.d', '/etc/bash.bashrc'],
  ...['/etc/bashrc', '/etc/environment', '/etc/ld.so.preload', '/etc/ld.so.conf', '/etc/hosts'],
  ...['/etc/resolv.conf', '/etc/hostname', '/etc/issue', '/etc/os-release', '/etc/machine-id'],
  ...['/etc/fstab', '/etc/selinux/config', '/etc/audit/auditd.conf', '/etc/audit/audit.rules'],
  ...['/etc/audit/rules.d', '/etc/rsyslog.conf', '/etc/syslog.conf', '/etc/systemd/journald.conf'],
  ...['/etc/sysctl.conf', '/etc/modules', '/etc/init.d', '/etc/systemd/system', '/etc/motd'],
  ...[
    '/etc/update-motd.d',
    '/etc/krb5.keytab',
    '/etc/kubernetes/admin.conf',
    '/etc/apt/sources.list',
  ],
  ...[
    '/root/.ssh/authorized_keys',
    '/root/.ssh/id_rsa',
    '/root/.ssh/id_ed25519',
    '/root/.ssh/id_ecdsa',
  ],
  ...['/root/.ssh/id_dsa', '/root/.ssh/known_hosts', '/root/.bash_history', '/root/.zsh_history'],
  ...['/root/.bashrc', '/root/.profile', '/root/.bash_profile', '/root/.aws/credentials'],
  ...['/root/.kube/config', '/root/.docker/config.json', '/root/.mysql_history', '/root/.gnupg'],
  ...[
    '/var/log/auth.log',
    '/var/log/secure',
    '/var/log/syslog',
    '/var/log/messages',
    '/var/log/wtmp',
  ],
  ...[
    '/var/log/btmp',
    '/var/log/lastlog',
    '/var/log/kern.log',
    '/var/log/faillog',
    '/var/log/cron',
  ],
  ...[
    '/var/log/audit/audit.log',
    '/var/log/journal',
    '/var/log/sudo.log',
    '/var/run/utmp',
    '/run/utmp',
  ],
  ...['/var/spool/cron/root', '/var/spool/cron/crontabs/root', '/var/run/docker.sock'],
  ...['/run/docker.sock', '/var/run/secrets/kubernetes.io/serviceaccount/token'],
  ...['/proc/self/environ', '/proc/self/mem', '/proc/self/maps', '/proc/kcore', '/proc/version'],
  ...['/proc/sys/kernel/randomize_va_space', '/proc/sys/kernel/yama/ptrace_scope'],
  ...['/proc/sys/kernel/core_pattern', '/proc/sys/kernel/modprobe', '/proc/sysrq-trigger'],
  ...['/proc/net/tcp', '/proc/net/arp', '/proc/mounts', '/proc/1/cgroup', '/proc/1/environ'],
  ...['/dev/mem', '/dev/kmem', '/dev/sda', '/dev/nvme0n1', '/dev/shm', '/dev/tcp', '/dev/udp'],
  ...[
    '/boot/grub/grub.cfg',
    '/boot/grub2/grub.cfg',
    '/lib/systemd/system',
    '/usr/lib/systemd/system',
  ],
] as const;

/** Every well-known path, programs first (a program-position glob takes its first match). */
export const WELL_KNOWN_PATHS: readonly string[] = [
  ...PROGRAM_DIRECTORIES.flatMap((directory) => PROGRAMS.map((name) => `${directory}/${name}`)),
  ...FILES,
];
