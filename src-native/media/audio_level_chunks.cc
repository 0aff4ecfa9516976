#include "media/audio_level_chunks.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

namespace nlw {

namespace {

using Chunk = std::array<int16_t, kLevelChunkSamples>;

// Samples of alternating sign: the first `high` at amplitude a + 1, the next `count - high` at a,
// then zeros.
Chunk Pattern(int a, int count, int high) {
  Chunk chunk{};
  for (int i = 0; i < count && i < kLevelChunkSamples; i++) {
    const int amplitude = std::min(32767, i < high ? a + 1 : a);
    chunk[i] = static_cast<int16_t>(i % 2 == 0 ? amplitude : -amplitude);
  }
  return chunk;
}

Chunk Build(int level) {
  if (level >= 127) return Chunk{};
  constexpr double kFull = 32768.0 * 32768.0;
  const double mean_square = kFull * std::pow(10.0, -level / 10.0);
  const double sum = mean_square * kLevelChunkSamples;  // of the squared samples
  // Below a mean square of 1: some samples at 1, the rest 0. Above: every sample at a or a + 1.
  const bool faint = mean_square < 1.0;
  const int a = faint ? 1 : std::min(32767, static_cast<int>(std::floor(std::sqrt(mean_square))));
  const long guess = faint ? std::lround(sum)
                           : std::lround((sum - static_cast<double>(kLevelChunkSamples) * a * a) / (2.0 * a + 1.0));
  // The closest level the pattern gives, by RmsLevel's own measure.
  Chunk best{};
  int best_error = 1000;
  for (long n = std::max(0L, guess - 2); n <= std::min<long>(kLevelChunkSamples, guess + 2); n++) {
    Chunk chunk = faint ? Pattern(1, static_cast<int>(n), 0) : Pattern(a, kLevelChunkSamples, static_cast<int>(n));
    const int error = std::abs(RmsAudioLevel(chunk.data(), kLevelChunkSamples) - level);
    if (error < best_error) best_error = error, best = chunk;
  }
  return best;
}

}  // namespace

int RmsAudioLevel(const int16_t* samples, int count) {
  // As modules/audio_processing/rms_level.cc (M108) computes it.
  constexpr float kMaxSquaredLevel = 32768 * 32768;
  constexpr float kMinLevel = 1.995262314968883e-13f;
  if (count <= 0) return 127;
  float sum = 0.f;
  for (int i = 0; i < count; i++) sum += static_cast<float>(samples[i]) * samples[i];
  const float mean_square = sum / count;
  if (mean_square <= kMinLevel * kMaxSquaredLevel) return 127;
  const float rms = 10.f * std::log10(mean_square / kMaxSquaredLevel);
  return static_cast<int>(-rms + 0.5f);
}

const int16_t* AudioLevelChunk(int level) {
  static const auto* chunks = [] {
    auto* all = new std::array<Chunk, 128>();  // never destroyed: used at exit
    for (int l = 0; l < 128; l++) (*all)[l] = Build(l);
    return all;
  }();
  if (level < 0 || level > 127) level = 127;
  return (*chunks)[level].data();
}

}  // namespace nlw
