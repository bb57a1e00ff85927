#include <stdint.h>
static inline uint64_t P_tsc(void){uint32_t lo,hi; __asm__ volatile("rdtsc":"=a"(lo),"=d"(hi)); return (uint64_t)hi<<32|lo;}
extern uint64_t PR[16];
#define PB(i) uint64_t _pt##i = P_tsc()
#define PE(i) PR[i] += P_tsc() - _pt##i
