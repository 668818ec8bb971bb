// Doctor check on preloop-hook's own config.
#include "install/doctor.h"

namespace preloop::install {

std::vector<CheckResult> check_config(const DoctorContext& ctx) {
  if (!ctx.config)
    return {{"config.valid", CheckStatus::Fail, ctx.config_error,
             "correct the config file at the line and column shown; until then every tool call is denied"}};
  std::string files;
  for (const auto& f : ctx.config->sources) files += (files.empty() ? "" : ", ") + f.string();
  std::vector<CheckResult> out;
  out.push_back({"config.valid", CheckStatus::Ok, files.empty() ? "no config file; defaults apply" : "loaded " + files, ""});
  for (const auto& note : ctx.config->ignored)
    out.push_back({"config.managed", CheckStatus::Warn, note,
                   "remove the setting from your config: the managed config decides it"});
  if (ctx.config->fail_mode == FailMode::Open)
    out.push_back({"config.fail_mode", CheckStatus::Warn,
                   "fail_mode: open: an internal error lets the tool call through", "set fail_mode: closed"});
  return out;
}

}  // namespace preloop::install
