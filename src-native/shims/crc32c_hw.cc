// crc32c::ExtendPortable on the CPU's crc32 instruction. dcsctp puts a CRC32c in every SCTP packet
// and checks it on every received one; Debian's libtg_owt builds Google's crc32c without SSE4.2,
// so all of them went through the table-driven ExtendPortable: 5% of a bulk transfer's CPU
// (perf, bench/RESULTS.md). The build weakens that definition in our copy of the archive
// (build.json tgowt_weaken_symbols) and links this one: SSE4.2 where the CPU has it (checked once),
// a table otherwise. Same contract: extends `crc` (0 to start) by `size` bytes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace crc32c {
uint32_t ExtendPortable(uint32_t crc, const uint8_t* data, size_t size);
}

namespace {

constexpr uint32_t kPolynomial = 0x82F63B78;  // Castagnoli, reflected

uint32_t ExtendByTable(uint32_t crc, const uint8_t* p, size_t n) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t l = ~crc;
  while (n-- > 0) l = table[(l ^ *p++) & 0xff] ^ (l >> 8);
  return ~l;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t ExtendBySse42(uint32_t crc, const uint8_t* p, size_t n) {
  uint64_t l = static_cast<uint32_t>(~crc);
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    l = _mm_crc32_u64(l, v);
  }
  uint32_t l32 = static_cast<uint32_t>(l);
  for (; n > 0; p++, n--) l32 = _mm_crc32_u8(l32, *p);
  return ~l32;
}
#endif

}  // namespace

uint32_t crc32c::ExtendPortable(uint32_t crc, const uint8_t* data, size_t size) {
#if defined(__x86_64__)
  static const bool sse42 = __builtin_cpu_supports("sse4.2");
  if (sse42) return ExtendBySse42(crc, data, size);
#endif
  return ExtendByTable(crc, data, size);
}
