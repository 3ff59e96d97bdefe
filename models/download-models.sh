#!/usr/bin/env bash
# Downloads the files of one model listed in models.json (default: "clip", the CLIP ViT-B/32 ONNX export) from the
# Hugging Face Hub, verifies them and records their sha256 in SHA256SUMS next to them. See README.md.
#
# Verification, per file: a sha256 pinned in models.json wins; otherwise the Hub's X-Linked-Etag header (the sha256 of
# an LFS file, sent on the redirect to the CDN), else the lfs.oid of the Hub's paths-info API; small non-LFS files have
# no sha256 on the Hub, so their size is checked. A file is downloaded to a temp
# name and only renamed after it passed. Files already present with a matching sha256 are not downloaded again.
set -euo pipefail

usage() {
  cat <<EOF
Usage: $(basename "$0") [-m MODEL] [-d DIR] [--manifest FILE]

  -m, --model ID       model id in the manifest (default: \$MODEL or "clip")
  -d, --dir DIR        folder the files go into (default: \$MODEL_DIR, else models/<folder> next to this script)
      --manifest FILE  manifest to read (default: \$MODELS_MANIFEST, else models.json next to this script)
  -h, --help           this help

Environment:
  HF_ENDPOINT          Hub or mirror base URL (default https://huggingface.co)
  HF_TOKEN             optional access token, sent as a Bearer token to the Hub only
  CURL_MAX_TIME        most seconds one file may take (default 3600)
  CURL_CONNECT_TIMEOUT seconds to wait for a connection (default 20)
  CURL_RETRIES         retries on transient errors (default 3)

Check the files later with:  (cd DIR && sha256sum -c SHA256SUMS)
EOF
}

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
manifest=${MODELS_MANIFEST:-$script_dir/models.json}
model=${MODEL:-clip}
target=${MODEL_DIR:-}
endpoint=${HF_ENDPOINT:-https://huggingface.co}
endpoint=${endpoint%/}
max_time=${CURL_MAX_TIME:-3600}
connect_timeout=${CURL_CONNECT_TIMEOUT:-20}
retries=${CURL_RETRIES:-3}

while [[ $# -gt 0 ]]; do
  case $1 in
    -m|--model) model=${2:?--model needs a value}; shift 2 ;;
    -d|--dir) target=${2:?--dir needs a value}; shift 2 ;;
    --manifest) manifest=${2:?--manifest needs a value}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

command -v curl >/dev/null 2>&1 || { echo "error: curl is required" >&2; exit 1; }
[[ -f $manifest ]] || { echo "error: manifest '$manifest' not found" >&2; exit 1; }

# Prints "repo<TAB>revision<TAB>folder", then one "path<TAB>name<TAB>sha256-or-empty" line per file.
read_manifest() {
  if command -v python3 >/dev/null 2>&1; then
    python3 - "$manifest" "$model" <<'PY'
import json, sys
path, model_id = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as f:
    models = json.load(f).get("models", {})
model = models.get(model_id)
if model is None:
    sys.exit(f"error: model '{model_id}' is not in {path} (known: {', '.join(models)})")
print("\t".join([model["repo"], model.get("revision") or "main", model["folder"]]))
for file in model["files"]:
    name = file.get("name") or file["path"].rsplit("/", 1)[-1]
    print("\t".join([file["path"], name, (file.get("sha256") or "").lower()]))
PY
  elif command -v jq >/dev/null 2>&1; then
    jq -r --arg id "$model" '
      .models[$id] // error("model \($id) is not in the manifest")
      | ([.repo, (.revision // "main"), .folder] | @tsv),
        (.files[] | [.path, (.name // (.path | split("/") | last)), ((.sha256 // "") | ascii_downcase)] | @tsv)
    ' "$manifest"
  else
    echo "error: reading $manifest needs python3 (preferred) or jq; install one (e.g. 'sudo apt-get install python3')" >&2
    return 1
  fi
}

manifest_tsv=$(read_manifest)
IFS=$'\t' read -r repo revision folder <<<"$(head -n 1 <<<"$manifest_tsv")"
files_tsv=$(tail -n +2 <<<"$manifest_tsv")
[[ -n ${target} ]] || target="$script_dir/$folder"
mkdir -p -- "$target"
sums="$target/SHA256SUMS"

auth=()
if [[ -n ${HF_TOKEN:-} ]]; then auth=(-H "Authorization: Bearer $HF_TOKEN"); fi

tmp=""
curl_pid=""
headers=$(mktemp)
cleanup() { rm -f -- "$headers" ${tmp:+"$tmp"} ${paths_info:+"$paths_info"}; }
on_signal() {
  if [[ -n $curl_pid ]]; then kill "$curl_pid" 2>/dev/null || true; fi
  exit 130
}
trap cleanup EXIT
trap on_signal INT TERM

# curl in the background + wait, so INT/TERM stop a download at once (the EXIT trap then removes the temp file).
run_curl() {
  local rc=0
  curl "$@" &
  curl_pid=$!
  wait "$curl_pid" || rc=$?
  curl_pid=""
  return "$rc"
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum -- "$1" | cut -d ' ' -f 1
  else shasum -a 256 -- "$1" | cut -d ' ' -f 1
  fi
}

# First value of a header across all responses of a (redirected) request, e.g. X-Linked-Etag on the Hub's 302.
header_first() {
  awk -v h="$2" '{ sub(/\r$/, ""); i = index($0, ":") }
    i > 0 && tolower(substr($0, 1, i - 1)) == h { v = substr($0, i + 1); gsub(/^[ \t]+|[ \t]+$/, "", v); print v; exit }' "$1"
}

# Value of a header in the last response only (the redirect responses have their own Content-Length).
header_last_response() {
  awk -v h="$2" '{ sub(/\r$/, "") } /^HTTP\// { v = "" }
    { i = index($0, ":") } i > 0 && tolower(substr($0, 1, i - 1)) == h { v = substr($0, i + 1); gsub(/^[ \t]+|[ \t]+$/, "", v) }
    END { print v }' "$1"
}

# '"abc…"' or 'W/"abc…"' -> lowercase hex when it is a sha256, else nothing.
as_sha256() {
  local v=${1#W/}
  v=${v//\"/}
  v=$(tr '[:upper:]' '[:lower:]' <<<"$v")
  if [[ $v =~ ^[0-9a-f]{64}$ ]]; then printf '%s' "$v"; fi
}

# The Hub's expected sha256 and size from the headers saved in $headers.
hub_sha256() { as_sha256 "$(header_first "$headers" x-linked-etag)"; }
hub_size() {
  local size
  size=$(header_first "$headers" x-linked-size)
  [[ -n $size ]] || size=$(header_last_response "$headers" content-length)
  if [[ $size =~ ^[0-9]+$ ]]; then printf '%s' "$size"; fi
}

# The Hub's paths-info API, asked once: its lfs.oid is the sha256 of an LFS file. Used when no X-Linked-Etag was seen
# (a plain mirror has no API; that is fine).
paths_info=""
fetch_paths_info() {
  [[ -z $paths_info ]] || return 0
  paths_info=$(mktemp)
  local body
  if command -v python3 >/dev/null 2>&1; then
    body=$(cut -f 1 <<<"$files_tsv" | python3 -c 'import json, sys; print(json.dumps({"paths": [l for l in sys.stdin.read().splitlines() if l], "expand": False}))')
  else
    body=$(cut -f 1 <<<"$files_tsv" | jq -R -s -c '{paths: (split("\n") | map(select(length > 0))), expand: false}')
  fi
  run_curl -sS --fail --retry "$retries" --connect-timeout "$connect_timeout" --max-time 60 ${auth[@]+"${auth[@]}"} \
    -H 'Content-Type: application/json' --data "$body" -o "$paths_info" "$endpoint/api/models/$repo/paths-info/$revision" 2>/dev/null \
    || : >"$paths_info"
}

# lfs.oid of $1 in the paths-info answer (call fetch_paths_info first, outside $(...)).
api_sha256() {
  [[ -s $paths_info ]] || return 0
  local oid
  if command -v python3 >/dev/null 2>&1; then
    oid=$(python3 - "$paths_info" "$1" <<'PY' 2>/dev/null || true
import json, sys
entries = json.load(open(sys.argv[1], encoding="utf-8"))
for e in entries if isinstance(entries, list) else []:
    if isinstance(e, dict) and e.get("path") == sys.argv[2] and isinstance(e.get("lfs"), dict):
        print(e["lfs"].get("oid") or "")
        break
PY
)
  else
    oid=$(jq -r --arg p "$1" 'if type == "array" then .[] | select(type == "object" and .path == $p) | .lfs.oid // empty else empty end' \
      "$paths_info" 2>/dev/null || true)
  fi
  as_sha256 "$oid"
}

recorded_sha256() {
  [[ -f $sums ]] || return 0
  awk -v n="$1" 'length($1) == 64 && substr($0, 67) == n { print tolower($1); exit }' "$sums"
}

# Rewrites SHA256SUMS without the entry for $1, plus "$2  $1" when $2 is given.
update_sums() {
  local new
  new=$(mktemp "$target/.SHA256SUMS.XXXXXX")
  {
    if [[ -f $sums ]]; then awk -v n="$1" 'substr($0, 67) != n' "$sums"; fi
    if [[ -n ${2:-} ]]; then printf '%s  %s\n' "$2" "$1"; fi
  } | LC_ALL=C sort -k 2 >"$new"
  chmod "$file_mode" "$new"
  mv -f -- "$new" "$sums"
}

file_size() { wc -c <"$1" | tr -d ' '; }

# mktemp creates 0600 files; give finished files the usual mode (0666 minus the umask).
file_mode=$(printf '%o' $(( 0666 & ~$(umask) )))

# A present file without a pinned or recorded sha256: compare it with what the Hub says, without downloading it.
# Returns 0 to keep it, 1 when it must be downloaded again (the bad file is deleted).
check_against_hub() {
  local name=$1 path=$2 url=$3 dest=$4 actual=$5 expected size
  if ! run_curl -sS --fail --location --head --retry "$retries" --connect-timeout "$connect_timeout" --max-time 60 \
       ${auth[@]+"${auth[@]}"} -D "$headers" -o /dev/null "$url"; then
    echo "warning: $name is present but the Hub could not be asked for its checksum; keeping it unverified" >&2
    return 0
  fi
  expected=$(hub_sha256)
  if [[ -z $expected ]]; then fetch_paths_info; expected=$(api_sha256 "$path"); fi
  size=$(hub_size)
  if [[ -n $expected && $actual == "$expected" ]] || [[ -z $expected && -n $size && $(file_size "$dest") == "$size" ]]; then
    update_sums "$name" "$actual"
    echo "ok       $name (present, matches the Hub)"
    return 0
  fi
  if [[ -z $expected && -z $size ]]; then
    echo "warning: $name is present; the Hub gives neither a sha256 nor a size for it; keeping it unverified" >&2
    return 0
  fi
  echo "mismatch $name is present but differs from the Hub; downloading it again" >&2
  rm -f -- "$dest"
  return 1
}

echo "Model $model: $repo@$revision from $endpoint into $target"
failed=()
while IFS=$'\t' read -r path name pinned <&3; do
  if [[ $name == */* || $name == .* || $name == SHA256SUMS || $path == /* || /$path/ == */../* ]]; then
    echo "error: unsafe entry in the manifest: '$path' -> '$name'" >&2
    failed+=("$name")
    continue
  fi
  dest="$target/$name"
  url="$endpoint/$repo/resolve/$revision/$path"

  if [[ -f $dest ]]; then
    actual=$(sha256_of "$dest")
    known=${pinned:-$(recorded_sha256 "$name")}
    if [[ -n $known ]]; then
      if [[ $actual == "$known" ]]; then
        [[ $(recorded_sha256 "$name") == "$actual" ]] || update_sums "$name" "$actual"
        echo "ok       $name (sha256 verified)"
        continue
      fi
      echo "mismatch $name: sha256 $actual, expected $known; downloading it again" >&2
      rm -f -- "$dest"
      update_sums "$name"
    elif check_against_hub "$name" "$path" "$url" "$dest" "$actual"; then
      continue
    fi
  fi

  echo "download $name <- $url"
  tmp=$(mktemp "$target/.$name.XXXXXX.part")
  if ! run_curl --fail --location --retry "$retries" --retry-delay 2 --connect-timeout "$connect_timeout" --max-time "$max_time" \
       --progress-bar ${auth[@]+"${auth[@]}"} -D "$headers" -o "$tmp" "$url"; then
    echo "error: downloading $name failed" >&2
    rm -f -- "$tmp"; tmp=""
    failed+=("$name")
    continue
  fi

  actual=$(sha256_of "$tmp")
  size=$(file_size "$tmp")
  expected=${pinned:-$(hub_sha256)}
  if [[ -z $expected ]]; then fetch_paths_info; expected=$(api_sha256 "$path"); fi
  expected_size=$(hub_size)
  if [[ -n $expected_size && $size != "$expected_size" ]]; then
    echo "error: $name: received $size bytes, expected $expected_size; discarded" >&2
  elif [[ -n $expected && $actual != "$expected" ]]; then
    echo "error: $name: sha256 $actual does not match the expected $expected${pinned:+ (pinned in models.json)}; discarded" >&2
  else
    chmod "$file_mode" "$tmp"
    mv -f -- "$tmp" "$dest"; tmp=""
    update_sums "$name" "$actual"
    if [[ -n $expected ]]; then echo "ok       $name ($size bytes, sha256 verified)"
    elif [[ -n $expected_size ]]; then echo "ok       $name ($size bytes, size verified; the server gives no sha256 for it (normal for small non-LFS files); sha256 recorded in SHA256SUMS)"
    else echo "warning: $name ($size bytes) could not be verified: the server gave neither a sha256 nor a size" >&2
    fi
    continue
  fi
  rm -f -- "$tmp"; tmp=""
  failed+=("$name")
done 3<<<"$files_tsv"

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "FAILED: ${failed[*]} (nothing was kept for these files; run the script again)" >&2
  exit 1
fi
echo "Done: $target (check later with: cd '$target' && sha256sum -c SHA256SUMS)"
