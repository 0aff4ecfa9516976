// crc32c::ExtendPortable on the CPU's crc32 instruction. dcsctp puts a CRC32c in every SCTP packet
// and checks it on every received one; Debian's libtg_owt builds Google's crc32c without SSE4.2,
// so all of them went through the table-driven ExtendPortable: 5% of a bulk transfer's CPU
// (perf, bench/RESULTS.md). The build weakens that definition in our copy of the archive
// (build.json tgowt_weaken_symbols) and links this one: SSE4.2 where the CPU has it (checked once),
// a table otherwise. Same contract: extends `crc` (0 to start) by `size` bytes.
#include "shims/crc32c_hw.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

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
// The crc32 instruction takes 3 cycles and depends on the previous one; three independent lanes
// keep the unit busy every cycle. A block is kLane bytes in each of three lanes: lanes B and C
// start from 0 and are joined by the CRC's linearity, crc(s, A B C) = shift(crc(s, A), 2 kLane)
// ^ shift(crc(0, B), kLane) ^ crc(0, C), where shift(x, n) is x run through n zero bytes,
// looked up a byte of x at a time. An SCTP packet (~1,200 bytes) is three such blocks.
constexpr size_t kLane = 128;

struct ShiftTable {
  uint32_t t[4][256];
  uint32_t operator()(uint32_t x) const {
    return t[0][x & 0xff] ^ t[1][(x >> 8) & 0xff] ^ t[2][(x >> 16) & 0xff] ^ t[3][x >> 24];
  }
};

__attribute__((target("sse4.2"))) ShiftTable MakeShift(size_t bytes) {
  ShiftTable s{};
  for (int k = 0; k < 4; k++) {
    for (uint32_t b = 0; b < 256; b++) {
      uint64_t x = b << (8 * k);
      for (size_t i = 0; i < bytes; i += 8) x = _mm_crc32_u64(x, 0);
      s.t[k][b] = static_cast<uint32_t>(x);
    }
  }
  return s;
}

__attribute__((target("sse4.2"))) uint32_t ExtendBySse42(uint32_t crc, const uint8_t* p, size_t n) {
  static const ShiftTable by_one_lane = MakeShift(kLane);
  static const ShiftTable by_two_lanes = MakeShift(2 * kLane);
  uint64_t l = static_cast<uint32_t>(~crc);
  for (; n >= 3 * kLane; p += 3 * kLane, n -= 3 * kLane) {
    uint64_t b = 0, c = 0;
    for (size_t i = 0; i < kLane; i += 8) {
      uint64_t va, vb, vc;
      memcpy(&va, p + i, 8);
      memcpy(&vb, p + kLane + i, 8);
      memcpy(&vc, p + 2 * kLane + i, 8);
      l = _mm_crc32_u64(l, va);
      b = _mm_crc32_u64(b, vb);
      c = _mm_crc32_u64(c, vc);
    }
    l = by_two_lanes(static_cast<uint32_t>(l)) ^ by_one_lane(static_cast<uint32_t>(b)) ^ c;
  }
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

namespace nlw {

// The CRC above against the table for every length up to 2,000 at each alignment in a word,
// chained from a nonzero start: "" or the first length that differs (binding.checkCrc32c()).
std::string CheckCrc32c() {
  std::vector<uint8_t> bytes(2000 + 8);
  uint32_t x = 2463534242u;
  for (uint8_t& b : bytes) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    b = static_cast<uint8_t>(x);
  }
  for (size_t offset = 0; offset < 8; offset++) {
    for (size_t n = 0; n <= 2000; n++) {
      const uint8_t* p = bytes.data() + offset;
      uint32_t start = ExtendByTable(0, p + n / 2, n - n / 2);
      if (crc32c::ExtendPortable(start, p, n) != ExtendByTable(start, p, n))
        return "length " + std::to_string(n) + " at offset " + std::to_string(offset);
    }
  }
  const uint8_t check[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};  // RFC 3720's check value
  if (crc32c::ExtendPortable(0, check, sizeof check) != 0xE3069283u) return "check value of 123456789";
  return "";
}

}  // namespace nlw

uint32_t crc32c::ExtendPortable(uint32_t crc, const uint8_t* data, size_t size) {
#if defined(__x86_64__)
  static const bool sse42 = __builtin_cpu_supports("sse4.2");
  if (sse42) return ExtendBySse42(crc, data, size);
#endif
  return ExtendByTable(crc, data, size);
}
