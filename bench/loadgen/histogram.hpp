// A latency histogram in the manner of HdrHistogram: exact below 128, then 64 linear
// sub-buckets per power of two, so any recorded value is reported within 1/64 (1.6 %) of
// itself, from nanoseconds to hours, in a fixed 20 KiB array with O(1) record().
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace loadgen {

class Histogram {
 public:
  static constexpr unsigned kSubBits = 6;  // 64 sub-buckets per power of two
  static constexpr std::uint64_t kSub = 1u << kSubBits;
  static constexpr std::size_t kBuckets = 2 * kSub + (64 - kSubBits - 1) * kSub;

  static constexpr std::size_t index_of(std::uint64_t value) noexcept {
    if (value < 2 * kSub) return static_cast<std::size_t>(value);
    const unsigned shift = static_cast<unsigned>(std::bit_width(value)) - 1 - kSubBits;  // >= 1
    return 2 * kSub + (shift - 1) * kSub + static_cast<std::size_t>((value >> shift) - kSub);
  }

  /// The highest value that falls in bucket `index` (what a percentile reports).
  static constexpr std::uint64_t highest_in(std::size_t index) noexcept {
    if (index < 2 * kSub) return index;
    const std::size_t shift = (index - 2 * kSub) / kSub + 1;
    const std::uint64_t top = (index - 2 * kSub) % kSub + kSub;
    return ((top + 1) << shift) - 1;
  }

  void record(std::uint64_t value) noexcept {
    ++counts_[index_of(value)];
    ++count_;
    if (value > max_) max_ = value;
  }

  void reset() noexcept {
    counts_.fill(0);
    count_ = 0;
    max_ = 0;
  }

  void merge(const Histogram& other) noexcept {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    if (other.max_ > max_) max_ = other.max_;
  }

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t max() const noexcept { return max_; }

  /// The value at quantile q in [0, 1]: the smallest bucket bound with at least q of the
  /// samples at or below it (0 when empty; never above the recorded maximum).
  [[nodiscard]] std::uint64_t quantile(double q) const noexcept {
    if (count_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_) + 0.5);
    if (rank < 1) rank = 1;
    if (rank > count_) rank = count_;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        const std::uint64_t bound = highest_in(i);
        return bound < max_ ? bound : max_;
      }
    }
    return max_;
  }

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace loadgen
