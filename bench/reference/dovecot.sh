# Sourced by bench scripts: a private Dovecot 2.3 (Debian) instance as the reference IMAP/POP3
# server and LMTP delivery agent, on free loopback ports, with maildirs and fsync on
# (mail_fsync = always), users from a passwd-file with plain passwords. Never touches the
# system instance.
#   dc_start                   sets DC_DIR, DC_LMTP, DC_POP3, DC_IMAP ports; starts dovecot
#                              ($DC_EXTRA_CONF, when set, is appended to its configuration)
#   dc_user NAME PASSWORD      adds a user (mail in $DC_DIR/mail/NAME)
#   dc_count NAME              number of delivered messages in NAME's INBOX
#   dc_stop
dc_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

dc_start() {
  DC_DIR=$(mktemp -d /tmp/dovecot-bench.XXXXXX)
  chmod 755 "$DC_DIR"
  DC_LMTP=$(dc_free_port); DC_POP3=$(dc_free_port); DC_IMAP=$(dc_free_port)
  mkdir -p "$DC_DIR/run" "$DC_DIR/state" "$DC_DIR/mail"
  chown nobody:nogroup "$DC_DIR/mail"
  : >"$DC_DIR/users"
  cat >"$DC_DIR/dovecot.conf" <<CONF
base_dir = $DC_DIR/run
state_dir = $DC_DIR/state
instance_name = mailroom-bench-$DC_LMTP
protocols = lmtp pop3 imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = $DC_DIR/dovecot.log
mail_location = maildir:~/Maildir
mail_fsync = always
mail_uid = nobody
mail_gid = nogroup
first_valid_uid = 1
default_login_user = dovenull
default_internal_user = dovecot
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $DC_DIR/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$DC_DIR/mail/%n
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $DC_LMTP
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $DC_POP3
  }
  inet_listener pop3s {
    port = 0
  }
}
service imap-login {
  inet_listener imap {
    port = $DC_IMAP
  }
  inet_listener imaps {
    port = 0
  }
}
protocol lmtp {
  postmaster_address = postmaster@bench.test
}
${DC_EXTRA_CONF:-}
CONF
  dovecot -c "$DC_DIR/dovecot.conf"
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$DC_LMTP") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "dovecot did not start: $(tail -5 "$DC_DIR/dovecot.log")" >&2
  return 1
}

dc_user() { echo "$1:{PLAIN}$2::::::" >>"$DC_DIR/users"; }

dc_count() {
  local d=$DC_DIR/mail/$1/Maildir
  { ls "$d/new" 2>/dev/null; ls "$d/cur" 2>/dev/null; } | wc -l
}

dc_stop() {
  [ -n "${DC_DIR:-}" ] || return 0
  doveadm -c "$DC_DIR/dovecot.conf" stop >/dev/null 2>&1 || true
  rm -rf "$DC_DIR"
  DC_DIR=""
}
