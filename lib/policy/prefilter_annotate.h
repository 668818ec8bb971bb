// Derives the prefilter of every condition ahead of evaluation, for the
// policy snapshot: a hook process that loads the snapshot then skips
// conditions without compiling them.
#pragma once

#include <vector>

#include "policy/engine.h"

namespace preloop::policy {

// Compiles each CEL condition and derives its prefilter; a condition that
// does not compile (or is simple) gets Always, so its error still surfaces.
void annotate_prefilters(std::vector<LayerDocs>& layers);

}  // namespace preloop::policy
