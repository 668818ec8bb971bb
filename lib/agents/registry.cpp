#include "agents/adapter.h"
#include "agents/adapters.h"

namespace preloop::agents {
namespace {

using Getter = const Adapter& (*)();
constexpr Getter kAll[] = {claude_code, gemini_cli, qwen_code, codex_cli, copilot_cli, cursor};

}  // namespace

const Adapter* find_adapter(std::string_view name) {
  for (Getter get : kAll)
    if (name == get().name) return &get();
  return nullptr;
}

std::string adapter_names() {
  std::string out;
  for (Getter get : kAll) out += (out.empty() ? "" : ", ") + std::string(get().name);
  return out;
}

}  // namespace preloop::agents
