#include "policy/prefilter_annotate.h"

#include "policy/variables.h"

namespace preloop::policy {

void annotate_prefilters(std::vector<LayerDocs>& layers) {
  for (auto& l : layers)
    for (auto& d : l.docs)
      for (auto& t : d.tools)
        for (auto& c : t.conditions) {
          c.prefilter = Prefilter{Prefilter::State::Always, {}};
          if (c.type == ConditionType::Cel && policy_env().compile(c.expression).ok())
            c.prefilter = derive_prefilter(c.expression);
        }
}

}  // namespace preloop::policy
