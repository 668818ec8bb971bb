#include "forward/backoff.h"

#include <algorithm>
#include <random>

namespace preloop::forward {

std::chrono::milliseconds backoff_delay(std::int64_t failures, double unit, long retry_after_s,
                                        std::chrono::milliseconds initial, std::chrono::milliseconds max) {
  const std::int64_t shift = std::clamp<std::int64_t>(failures - 1, 0, 40);
  const std::int64_t grown = initial.count() << std::min<std::int64_t>(shift, 62 - 20);
  const std::int64_t cap = std::min<std::int64_t>(max.count(), std::max<std::int64_t>(grown, initial.count()));
  unit = std::clamp(unit, 0.0, 1.0);
  std::int64_t ms = cap / 2 + std::int64_t(double(cap - cap / 2) * unit);
  if (retry_after_s >= 0) ms = std::max<std::int64_t>(ms, std::min<std::int64_t>(retry_after_s, 86400) * 1000);
  return std::chrono::milliseconds(ms);
}

double random_unit() {
  static std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

}  // namespace preloop::forward
