// libFuzzer target for the shell analyser: any input must come back with an
// analysis (possibly marked unparseable) within the limits, without crashing,
// and convert to a CEL value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shell/analyze.h"
#include "shell/cel_bindings.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const preloop::shell::Context ctx{"/home/user/project", "/home/user", "/home/user/project"};
  preloop::shell::Limits limits;
  limits.max_bytes = 64 * 1024;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto a = preloop::shell::analyze(text, ctx, limits);
  if (a.unparseable && a.error.empty()) __builtin_trap();  // an unparseable analysis always says why
  auto v = preloop::shell::to_cel(a);
  if (!v.is_map()) __builtin_trap();
  return 0;
}
