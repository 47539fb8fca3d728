/* policy.h - the policy model: what a tool may do, and where each value came from. */
#ifndef SBX_POLICY_H
#define SBX_POLICY_H

#include <stdbool.h>
#include <stddef.h>

enum profile {
	PROFILE_READ_ONLY,
	PROFILE_WORKSPACE_WRITE,
	PROFILE_FULL_ACCESS,
};

struct source {
	const char *origin; /* a file, a variable, "default", "command line" */
	int line;	    /* > 0 when origin is a file */
};

/* What an entry is, for the code to read: the source's words are for
 * people, and rewording them must not change a verdict. */
enum entry_kind {
	ENTRY_SET,		/* a value set somewhere: the source says where */
	ENTRY_TEMP,		/* roots: an implicit temp root ($TMPDIR, /tmp) */
	ENTRY_BUILTIN,		/* protected: one of the built-in names (.git) */
	ENTRY_CONFIG_READ,	/* configs: a file read */
	ENTRY_CONFIG_BUILTIN,	/* the built-in wrappers/defaults */
	ENTRY_CONFIG_USER,	/* the user's config */
	ENTRY_CONFIG_ENV,	/* the file SBX_CONFIG names */
	ENTRY_CONFIG_TRUSTED,	/* a project .sbxrc, trusted and used */
	ENTRY_CONFIG_UNTRUSTED, /* a project .sbxrc, not trusted: ignored */
	ENTRY_CONFIG_UNSAFE,	/* a .sbxrc not safe to read: ignored */
};

struct pathent {
	char *path; /* absolute and normalised */
	struct source src;
	enum entry_kind kind;
};

struct pathlist {
	struct pathent *v;
	size_t n;
};

struct policy {
	const char *tool; /* selects [tool] sections; may be NULL */
	const char *home; /* $HOME, or NULL */
	char *pw_home;	  /* the password database's home, or NULL */
	char *cwd;
	enum profile profile;
	struct source profile_src;
	bool network;
	struct source network_src;
	/* network = HOST, ...: off, but for these hosts through sbx's proxy
	 * (proxy.h); each a lowercase name, "*.domain", with ":port" or not. */
	struct pathlist hosts;
	char *workspace; /* the workspace root; NULL: none (home, /) */
	struct source workspace_src;
	struct pathlist writable; /* configured writable roots */
	struct pathlist readonly; /* configured read-only carve-outs */
	struct pathlist hidden;	  /* configured hidden paths */
	struct pathlist reveal;	  /* taken off the hidden list */
	struct pathlist reveal_vars; /* secret variables kept (NPM_TOKEN) */
	bool reveal_ssh_agent, reveal_gpg_agent;
	/* reveal = keychain (macOS): com.apple.SecurityServer for a tool
	 * with a network (git's osxkeychain helper); Linux ignores it. */
	bool reveal_keychain;
	struct source keychain_src;
	/* protect: best-effort (default), required (no protected paths, no
	 * run), off (Linux: no mount namespace, Landlock alone). */
	enum protect {
		PROTECT_BEST_EFFORT,
		PROTECT_REQUIRED,
		PROTECT_OFF
	} protect;
	struct source protect_src;
	/* leftovers = end (Linux): the tool's exit ends what it left running
	 * (a pid namespace; leftovers.h). Default: keep. */
	bool end_leftovers;
	struct source leftovers_src;
	/* Set for a tool started in an agent's intercepting session: the
	 * original tree (without sbx's covers) that its view is built on. */
	const char *view_root;

	/* After policy_finish: */
	struct pathlist roots;	   /* granted writable roots, implicit first */
	struct pathlist protected; /* read-only inside the roots */
	struct pathlist hiddens;   /* not even readable: built-ins + hidden */
	struct pathlist sealed;	   /* protected ones that must not be made */

	/* The config files met, in order; sources point at these names. Each
	 * one's src.origin says how it was used ("trusted", "ignored: ..."). */
	struct pathlist configs;
};

const char *profile_name(enum profile p);
int profile_parse(const char *s, enum profile *out);
int onoff_parse(const char *s, bool *out);
/* "file:line", or the origin alone. The text is in one of SOURCE_STR_KEPT
 * static buffers used in turn: valid until that many more calls, so one
 * message can name that many sources. */
#define SOURCE_STR_KEPT 4
const char *source_str(const struct source *s);

/* Built-in defaults for TOOL (may be NULL). Dies on a missing cwd. */
void policy_init(struct policy *p, const char *tool);
/* Adds the user config, SBX_CONFIG and the environment. Returns the number
 * of errors, each already reported. */
int policy_load(struct policy *p);
/* Parses one config text as if read from FILE. Returns the error count. */
int policy_apply_text(struct policy *p, const char *file, const char *text,
		      size_t len);
/* Reads and applies a config file; a missing file is fine when OPTIONAL. */
int policy_apply_file(struct policy *p, const char *file, bool optional);

/* The settings a config line (key = value) or a variable can make, in one
 * table (policy.c), as doas's parser keeps its keywords: each value's check
 * and its error text are written once, for the files and the environment. */
struct policy_key {
	const char *name; /* as in a config file: "profile" */
	enum policy_key_kind {
		KEY_SCALAR, /* one value: a later one replaces it */
		KEY_LIST,   /* adds to a list; outside a file, several
			       values colon-separated (SBX_WRITABLE) */
	} kind;
	/* Checks VALUE and applies it to P from SRC, a relative path taken
	 * against DIR; -1 with ERR set to the message without its place
	 * (the caller puts "file:line" or the variable before it). */
	int (*set)(struct policy *p, const char *value, struct source src,
		   const char *dir, char *err, size_t errlen);
	const char *env; /* the variable that sets it too, or NULL */
};
/* Ends with a NULL name; the variables apply in this order. */
extern const struct policy_key policy_keys[];
/* KEY's entry (without a macos-/linux- prefix), or NULL. */
const struct policy_key *policy_key_find(const char *key);
/* Applies VALUE to the setting KEY from outside a file (a variable, the
 * command line): a relative path against the cwd. Returns the number of
 * errors, each reported as "ORIGIN: message". */
int policy_set(struct policy *p, const char *key, const char *value,
	       struct source src);
const char *protect_name(enum protect pr);
/* HOST (lowercase, no trailing dot) on PORT against one network = pattern:
 * a name, or *.domain (its subdomains), with :port, or on 80 and 443. As
 * the proxy allows, as sbx check answers. */
bool policy_host_matches(const char *pattern, const char *host, int port);
/* Sets P's network from "on", "off" or a list of hosts (comma or space
 * separated). -1 with ERR set when V is none of them. */
int policy_network_parse(struct policy *p, const char *v, struct source src,
			 char *err, size_t errlen);
/* The user's config file (it may not exist), as a new string, or NULL. */
char *policy_user_config(const struct policy *p);
/* Works out the workspace root, the implicit writable roots, the protected
 * paths inside them and the hidden paths. */
void policy_finish(struct policy *p);
/* Feeds C everything P's confinement depends on: the settings, uid, the
 * roots, protected, hidden and sealed paths, named hosts, the secrets it
 * keeps, the workspace and a session's view (the keys of what tools of
 * one confinement share, proxy.c and mountns-linux.c). */
struct sha256;
void policy_hash(const struct policy *p, struct sha256 *c);
/* Creates the configured writable roots under $HOME that do not exist yet
 * (a tool's cache, as ~/.npm on a new machine), so that they can be bound. */
void policy_create_roots(const struct policy *p);
/* True when the variable NAME (N bytes) holds a secret by its name
 * (*_API_KEY, *_TOKEN, *_SECRET...), and when P keeps it (reveal = NAME). */
bool secret_var(const char *name, size_t n);
bool var_revealed(const struct policy *p, const char *name, size_t n);
/* Takes the agent variables and the secret ones out of the environment,
 * unless revealed. */
void policy_scrub_env(const struct policy *p);

/* The tools that get shims (the sections of wrappers/defaults). */
const char *const *wrapper_tools(void);
extern const char builtin_defaults_name[];

/* The names kept read-only inside every writable root. */
extern const char *const protected_names[];
/* The shell start-up files under $HOME: never written by a tool. */
extern const char *const startup_files[];
/* Credential stores under $HOME, hidden by default. */
extern const char *const hidden_home[];
/* Container-engine sockets: a door out of any sandbox. */
extern const char *const engine_sockets[];
/* D-Bus, systemd, X11 (absolute) and those under $XDG_RUNTIME_DIR. */
extern const char *const service_sockets[];
extern const char *const runtime_sockets[];

void policy_free(struct policy *p);

void pathlist_add(struct pathlist *l, char *path, struct source src);
void pathlist_free(struct pathlist *l);
/* True when PATH is one of L's paths or lies beneath one. */
bool pathlist_covers(const struct pathlist *l, const char *path);

#endif
