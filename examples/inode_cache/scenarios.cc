// The scenario plans use to run the toy inode cache: an owner drops its
// reference while a user grabs, uses and puts one.
#include "absl/status/status.h"
#include "examples/inode_cache/inode_cache.h"
#include "framework/check.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace icache {
namespace {

absl::Status Build(faultline::World& world,
                   const faultline::ScenarioArgs& args) {
  const Variant variant =
      args.variant() == "buggy" ? Variant::kBuggy : Variant::kFixed;
  Inode* inode = world.Make<Inode>();
  world.Spawn(
      "owner", [inode, variant] { iput(inode, variant); }, "iput");
  world.Spawn(
      "user",
      [inode, variant] {
        if (!igrab(inode, variant)) return;
        use_inode(inode);
        iput(inode, variant);
      },
      "igrab");
  world.AtQuiescence("icache.quiescent", [inode] {
    FL_BUG_ON(inode->i_count.Peek() != 0, "icache.leak");
    FL_BUG_ON(inode->freed.Peek() != 1, "icache.not_evicted");
  });
  world.SetStateProbe([inode] {
    return faultline::StateSnapshot{
        {"i_count", std::to_string(inode->i_count.Peek())},
        {"I_FREEING", inode->i_state.PeekBit(I_FREEING) ? "1" : "0"},
        {"freed", std::to_string(inode->freed.Peek())}};
  });
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "icache.igrab_vs_iput",
    "igrab racing the final iput of a toy inode cache",
    {},
    {"fixed", "buggy"},
    Build,
    {"owner", "user", "iput", "igrab"},
}));

}  // namespace
}  // namespace icache
