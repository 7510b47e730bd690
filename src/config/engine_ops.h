/* The config as the engine applies it (struct bh_engine_cfg_ops): hand &bh_config_engine_ops to an engine
 * together with its config (or with none: the bulkhead.io/ignore annotation still applies). */
#ifndef BH_CONFIG_ENGINE_OPS_H
#define BH_CONFIG_ENGINE_OPS_H
#include "engine/engine.h"

extern const struct bh_engine_cfg_ops bh_config_engine_ops;

#endif
