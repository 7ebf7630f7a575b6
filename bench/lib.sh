# Sourced by the shell benchmarks (ab, profile, session-read): starting a
# server is theirs; finding a port, waiting for it, signing in and writing
# the wrk script are shared here.

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to 10 s for a server on PORT to answer.
wait_up() {
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$1/" 2>/dev/null && return 0
    sleep 0.1
  done
}

# Registers the bench user on PORT and prints its session cookie
# (sesame_session=...); fails when there is none.
signed_in_cookie() {
  local cookie
  cookie=$(curl -fsS -o /dev/null -D - -H 'Accept: application/json' \
    --data 'username=benchuser&email=bench@example.com&password=bench-password-1' \
    "http://127.0.0.1:$1/api/register" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(sesame_session=[^;]*\).*/\1/p')
  [ -n "$cookie" ] || { echo "no session cookie from port $1" >&2; return 1; }
  echo "$cookie"
}

# Writes a wrk script to FILE: METHOD, and COOKIE if not empty; a POST is a
# form post, as the browser's.
wrk_script() {
  local file=$1 method=$2 cookie=${3:-}
  {
    echo "wrk.method = \"$method\""
    # `if`, not `&&`: a false test as the last command would fail the
    # function, and with it the calling script under `set -e`.
    if [ -n "$cookie" ]; then echo "wrk.headers[\"Cookie\"] = \"$cookie\""; fi
    echo 'wrk.headers["Accept"] = "application/json"'
    if [ "$method" = POST ]; then
      echo 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"'
    fi
  } >"$file"
}
