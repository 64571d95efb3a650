# Sourced by bench scripts: a private Postfix 3.7 (Debian) instance in a temp folder, listening
# on a free loopback port and delivering every message for bench.test over LMTP (to the
# Dovecot of dovecot.sh). Queue files are fsynced (Postfix's default). Never touches the system
# instance.
#   pf_start LMTP_PORT     sets PF_DIR and PF_PORT; starts postfix
#   pf_stop
pf_start() {
  local lmtp=$1
  PF_DIR=$(mktemp -d /tmp/postfix-bench.XXXXXX)
  chmod 755 "$PF_DIR"
  PF_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$PF_DIR/etc" "$PF_DIR/spool" "$PF_DIR/lib"
  cat >"$PF_DIR/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $PF_DIR/spool
data_directory = $PF_DIR/lib
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.bench.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = bench.test
virtual_transport = lmtp:inet:127.0.0.1:$lmtp
smtpd_recipient_restrictions = permit_mynetworks, reject
maillog_file = $PF_DIR/maillog
maillog_file_prefixes = /tmp
default_process_limit = 100
lmtp_destination_concurrency_limit = 20
smtpd_client_connection_count_limit = 0
smtpd_client_message_rate_limit = 0
CONF
  sed -e "s/^smtp      inet  n       -       y       -       -       smtpd/127.0.0.1:$PF_PORT inet n - n - - smtpd/" \
      -e 's/^\([a-z]*\)\( *\)\(unix\|fifo\|pass\)\( *\)\([-ny]\)\( *\)\([-ny]\)\( *\)y /\1\2\3\4\5\6\7\8n /' \
      /etc/postfix/master.cf >"$PF_DIR/etc/master.cf"
  # The postfix command accepts another configuration directory only when the default
  # main.cf lists it. With Debian's "No configuration" install there is no default main.cf:
  # write one that says only that, and remove it again in pf_stop.
  PF_MADE_DEFAULT=""
  if [ ! -e /etc/postfix/main.cf ]; then
    echo "alternate_config_directories = $PF_DIR/etc" >/etc/postfix/main.cf
    PF_MADE_DEFAULT=1
  fi
  postfix -c "$PF_DIR/etc" set-permissions >/dev/null 2>&1 || true
  postfix -c "$PF_DIR/etc" start >/dev/null 2>&1
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PF_PORT") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "postfix did not start" >&2
  return 1
}

pf_stop() {
  [ -n "${PF_DIR:-}" ] || return 0
  postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1 || true
  sleep 1
  [ -n "${PF_MADE_DEFAULT:-}" ] && rm -f /etc/postfix/main.cf
  rm -rf "$PF_DIR"
  PF_DIR=""
}
