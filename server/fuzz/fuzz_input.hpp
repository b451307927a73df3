// The fuzz input read as a stream of choices: each byte picks the next operation or value,
// and an exhausted input reads as zeros.
#pragma once

#include <cstddef>
#include <cstdint>

namespace parley::fuzz {

struct Input {
  const std::uint8_t* data;
  std::size_t size;
  std::uint8_t next() {
    if (size == 0) return 0;
    --size;
    return *data++;
  }
  template <typename T, std::size_t N>
  const T& pick(const T (&options)[N]) {
    return options[next() % N];
  }
};

}  // namespace parley::fuzz
