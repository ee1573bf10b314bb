# Sourced by .ci/run (and by anyone whose machine has an older Node): puts a Node.js that extgate supports
# (>= 22.19: `reusePort` for the data-plane workers needs 22.12, undici 8 22.19; 24 is the LTS line we test
# on) first on PATH.
# When the machine's node is older, Node 24 is taken from the npm registry's `node-linux-<arch>` package
# (the same binaries nodejs.org ships, published to npm by the `node` package) and unpacked under
# ~/.cache/extgate — outside the repository. Its headers come with it, so native addons (better-sqlite3)
# build against it without any other download (npm_config_nodedir).
extgate_node_ok() {
  command -v node >/dev/null 2>&1 && node -e '
    const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a > 22 || (a === 22 && b >= 19) ? 0 : 1)'
}
if ! extgate_node_ok; then
  extgate_arch="$(uname -m)"
  case "$extgate_arch" in x86_64) extgate_arch=x64 ;; aarch64) extgate_arch=arm64 ;; esac
  extgate_node_dir="${XDG_CACHE_HOME:-$HOME/.cache}/extgate/node-v24-linux-$extgate_arch"
  if [ ! -x "$extgate_node_dir/bin/node" ]; then
    echo "use-node: $(node --version 2>/dev/null || echo 'no node') is older than 22.19; installing Node 24 from the npm registry into $extgate_node_dir"
    extgate_tmp="$(mktemp -d)"
    (cd "$extgate_tmp" && npm pack --silent "node-linux-$extgate_arch@24" >/dev/null && tar xzf node-linux-*.tgz)
    mkdir -p "$(dirname "$extgate_node_dir")"
    rm -rf "$extgate_node_dir" && mv "$extgate_tmp/package" "$extgate_node_dir"
    rm -rf "$extgate_tmp"
  fi
  export PATH="$extgate_node_dir/bin:$PATH"
  hash -r
fi
# Native addons must build against the headers of the node that runs them. An npmrc may point node-gyp
# elsewhere (Debian's sets nodedir=/usr, its own Node 20): use the running node's own prefix when it ships
# headers (Node's release tarballs and the npm package do), else leave the npmrc's choice.
extgate_node_prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
if [ -f "$extgate_node_prefix/include/node/node_version.h" ]; then
  export npm_config_nodedir="$extgate_node_prefix"
fi
echo "use-node: node $(node --version) at $(command -v node); native addons build against ${npm_config_nodedir:-the configured nodedir}"
