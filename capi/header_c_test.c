/* The ABI header compiles as strict C11 with every warning an error (see BUILD copts). */
#include "capi/lumen_core.h"

int main(void) {
  lumen_fec_config cfg;
  LUMEN_INIT(&cfg);
  return cfg.struct_size == sizeof cfg && lumen_abi_version() == LUMEN_ABI_VERSION ? 0 : 1;
}
