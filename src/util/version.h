#ifndef BH_VERSION_H
#define BH_VERSION_H
#define BH_VERSION "0.1.0"
#endif
