// Host functions the SDK does not declare. AssemblyScript imports a `declare function` from the module named
// after its file, so declared here they come from `env`, where every Proxy-Wasm host provides them (and the
// `@external('env', …)` decorator the SDK uses is one Prettier cannot parse).

/** Writes the host's current log level (0 trace … 5 critical) at `level`. */
export declare function proxy_get_log_level(level: usize): u32;
