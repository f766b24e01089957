#pragma once
// The fixed order in which the CPU kernels sum a run of values in double: value i goes to partial
// sum i % kPartials while a whole group of kPartials remains, the partials are added in one fixed
// tree, then the tail value by value. Vectorisable, and the same whatever the thread count; a
// kernel on a channel-blocked layout keeps a block's channels' partials side by side in the same
// order, so both layouts give the same bits.
namespace gg::cpu {

constexpr int kPartials = 8;

// The kPartials partial sums added in their tree; partial(j) is the j-th.
template <class Partial>
double add_partials(Partial partial) {
  return ((partial(0) + partial(1)) + (partial(2) + partial(3))) +
         ((partial(4) + partial(5)) + (partial(6) + partial(7)));
}

}  // namespace gg::cpu
