/* policy-internal.h - what policy.c shares with policy-finish.c only. */
#ifndef SBX_POLICY_INTERNAL_H
#define SBX_POLICY_INTERNAL_H

#include "policy.h"

/* sbx's config folder ($XDG_CONFIG_HOME/sbx, else ~/.config/sbx), as a new
 * string, or NULL. */
char *user_config_dir(const struct policy *p);

#endif
