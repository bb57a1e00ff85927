/* Host builds of guest code (fuzz targets): the real fault sites, labels and
 * NOPs, which do nothing unless a fault plan patches them in a guest. */
#include "../../../../guest/rt/include/rt/fisite.h"
