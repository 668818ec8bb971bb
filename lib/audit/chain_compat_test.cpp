// The values stores already hold must verify after any change of the hash
// implementation: a record's keyed and unkeyed chain hash and an input hash,
// computed once and pinned here.
#include <doctest/doctest.h>

#include "audit/key.h"
#include "audit/record.h"
#include "audit/sha256.h"

using namespace preloop::audit;

namespace {

Record pinned_record() {
  Record r;
  r.seq = 42;
  r.ts = "2026-01-27T10:23:45.123Z";
  r.prev_hash = std::string(64, 'a');
  r.session_id = "sess-1";
  r.tool_use_id = "toolu_1";
  r.hook_event = "PreToolUse";
  r.tool = "Bash";
  r.arguments = R"({"command":"rm -rf /"})";
  r.decision = "deny";
  r.reason = "no";
  r.rule_id = "core.rm-system";
  return r;
}

}  // namespace

TEST_CASE("chain hashes and MACs are byte-identical to the values existing stores hold") {
  const Record r = pinned_record();
  const std::string key(32, '\x5a');
  CHECK(compute_hash(r, key) == "51d52aa6c4e1ed7bf308b608c616e4e6e02135f0328c8304666765db7bc61dfc");
  CHECK(compute_hash(r, "") == "4d28b8bd198b1d84ed6c46ddef90c109e51f0936fcb36f00352887be24416657");
  CHECK(input_hash_with_key(key, nlohmann::json{{"command", "ls"}}) == "de37a78575c49a187f1c1fce6396a468d855eb7dd227b5d175253d95e3fdcca5");
  CHECK(to_hex(hmac_sha256(std::string(200, 'k'), std::string(1000, 'm'))) == "f2a749f7feec39acb0d2236debf655818d8de421af490b5e809b6034982a98de");
}

TEST_CASE("prompt_id and agent_version are hashed only when set, so older rows keep their hashes") {
  const std::string key(32, '\x5a');
  Record r = pinned_record();
  const std::string before = compute_hash(r, key);
  r.prompt_id = "prompt-1";
  const std::string with_prompt = compute_hash(r, key);
  CHECK(with_prompt != before);
  r.agent_version = "2.1.340";
  const std::string with_both = compute_hash(r, key);
  CHECK(with_both != with_prompt);
  // The tag keeps the two fields apart: the same text in the other field hashes differently.
  Record swapped = pinned_record();
  swapped.agent_version = "prompt-1";
  CHECK(compute_hash(swapped, key) != with_prompt);
  CHECK(compute_hash(swapped, "") != compute_hash(r, ""));
  r.prompt_id.clear();
  r.agent_version.clear();
  CHECK(compute_hash(r, key) == before);
  CHECK(compute_hash(r, key) == "51d52aa6c4e1ed7bf308b608c616e4e6e02135f0328c8304666765db7bc61dfc");
  // Pinned: rows written with both fields must keep verifying too.
  CHECK(with_both == "093f6ba79d51ab6953a0d290613494d2730ba2a6ecf4110ec1b01ce641177642");
}
