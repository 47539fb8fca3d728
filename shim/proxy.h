/* proxy.h - network = HOST, ...: the tool reaches those hosts only, through
 * a small HTTP proxy that sbx runs (Linux). */
#ifndef SBX_PROXY_H
#define SBX_PROXY_H

#include "policy.h"

/*
 * One proxy per user, started on demand by the first shim that needs it
 * and gone when idle: `sbx proxy-daemon`, listening on an abstract Unix
 * socket of the host's network namespace (confined tools live in network
 * namespaces of their own and cannot reach it; it answers only its uid).
 *
 * A shim with named hosts: proxy_connect() before it makes its network
 * namespace (the control socket stays usable after), proxy_register() in
 * the new namespace: a listening socket on 127.0.0.1 there is handed to
 * the proxy with the host list and the tool's stderr, so no process is
 * added per exec. The proxy forwards CONNECT (TLS, not intercepted) and
 * plain HTTP to listed hosts on ports 80 and 443 (or the port listed),
 * answers 403 naming the host and the setting otherwise, and stops
 * serving that socket when the shim's process (the tool) exits.
 */
int proxy_connect(void);
/* Returns the port on 127.0.0.1 the proxy serves in this namespace, or -1
 * (errno set). Closes CTL. */
int proxy_register(int ctl, const struct policy *p);
/* Sets the proxy variables for the tool: HTTP(S)_PROXY, npm's, node's. */
void proxy_environment(int port, const struct policy *p);

/* The daemon: `sbx proxy-daemon`. */
int proxy_daemon(void);

#endif
