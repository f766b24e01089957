#include "distributed/mpi_communicator.h"

#include <fmt/core.h>

#include <climits>
#include <stdexcept>

namespace gg::distributed {

namespace {

int instances = 0;  // live communicators: MPI is finalised with the last one

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(fmt::format("{} failed: {}", call, std::string(text, static_cast<std::size_t>(length))));
}

int checked_count(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(INT_MAX))
    throw std::invalid_argument(fmt::format("MPI: {} of {} elements is more than one message holds", what, n));
  return static_cast<int>(n);
}

MPI_Datatype mpi_type(DType t) { return t == DType::f32 ? MPI_FLOAT : MPI_DOUBLE; }

MPI_Op mpi_op(ReduceOp op) { return op == ReduceOp::max ? MPI_MAX : MPI_SUM; }  // mean: the sum, then divided

template <typename T> void scale(T* values, std::size_t n, double factor) {
  for (std::size_t i = 0; i < n; ++i) values[i] = static_cast<T>(values[i] * factor);
}

// Runs `collective` on the tensor's elements in host memory: in place for CPU tensors, through a
// host copy for device tensors.
template <typename F> void on_host(const Tensor& t, bool copy_back, F collective) {
  if (t.device().is_cpu()) {
    collective(t.raw_data());
    return;
  }
  std::vector<char> host(t.nbytes());
  t.copy_to_host(host.data(), host.size());
  collective(host.data());
  if (copy_back) t.copy_from_host(host.data(), host.size());
}

}  // namespace

MpiCommunicator::MpiCommunicator() {
  int initialised = 0;
  check(MPI_Initialized(&initialised), "MPI_Initialized");
  if (!initialised) {
    int provided = 0;
    // Funneled: only the main thread calls MPI (OpenMP's workers never do).
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  }
  ++instances;
  check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "MPI_Comm_dup");
  check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  MPI_Comm local = MPI_COMM_NULL;
  check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local), "MPI_Comm_split_type");
  check(MPI_Comm_rank(local, &local_rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(local, &local_size_), "MPI_Comm_size");
  MPI_Comm_free(&local);
}

MpiCommunicator::~MpiCommunicator() {
  MPI_Comm_free(&comm_);
  if (--instances == 0) {
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (!finalised) MPI_Finalize();
  }
}

std::string MpiCommunicator::describe() const { return fmt::format("MPI, {} ranks", size_); }

void MpiCommunicator::all_reduce(std::span<const Tensor> tensors, ReduceOp op) {
  for (const Tensor& t : tensors) {
    const auto n = static_cast<std::size_t>(t.numel());
    const int count = checked_count(n, "an all-reduce");
    on_host(t, true, [&](void* data) {
      check(MPI_Allreduce(MPI_IN_PLACE, data, count, mpi_type(t.dtype()), mpi_op(op), comm_), "MPI_Allreduce");
      if (op != ReduceOp::mean) return;
      // For a power-of-two rank count the division is exact.
      if (t.dtype() == DType::f32) scale(static_cast<float*>(data), n, 1.0 / size_);
      else scale(static_cast<double*>(data), n, 1.0 / size_);
    });
  }
}

void MpiCommunicator::all_reduce(std::span<double> values, ReduceOp op) {
  const int count = checked_count(values.size(), "an all-reduce");
  check(MPI_Allreduce(MPI_IN_PLACE, values.data(), count, MPI_DOUBLE, mpi_op(op), comm_), "MPI_Allreduce");
  if (op == ReduceOp::mean) scale(values.data(), values.size(), 1.0 / size_);
}

void MpiCommunicator::broadcast(std::span<const Tensor> tensors, int root) {
  for (const Tensor& t : tensors) {
    const int count = checked_count(static_cast<std::size_t>(t.numel()), "a broadcast");
    on_host(t, rank_ != root, [&](void* data) {
      check(MPI_Bcast(data, count, mpi_type(t.dtype()), root, comm_), "MPI_Bcast");
    });
  }
}

std::string MpiCommunicator::broadcast(const std::string& text, int root) {
  unsigned long long length = text.size();
  check(MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, root, comm_), "MPI_Bcast");
  std::string out = rank_ == root ? text : std::string(length, '\0');
  check(MPI_Bcast(out.data(), checked_count(out.size(), "a broadcast"), MPI_CHAR, root, comm_), "MPI_Bcast");
  return out;
}

std::vector<std::string> MpiCommunicator::gather(const std::string& text, int root) {
  const int length = checked_count(text.size(), "a gather");
  std::vector<int> lengths(rank_ == root ? static_cast<std::size_t>(size_) : 0);
  check(MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, root, comm_), "MPI_Gather");
  std::vector<int> offsets(lengths.size());
  std::size_t total = 0;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    offsets[r] = checked_count(total, "a gather");
    total += static_cast<std::size_t>(lengths[r]);
  }
  std::string all(total, '\0');
  check(MPI_Gatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, root, comm_),
        "MPI_Gatherv");
  std::vector<std::string> out;
  for (std::size_t r = 0; r < lengths.size(); ++r)
    out.push_back(all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r])));
  return out;
}

void MpiCommunicator::barrier() { check(MPI_Barrier(comm_), "MPI_Barrier"); }

void MpiCommunicator::abort(int code) {
  MPI_Abort(comm_, code);
  std::exit(code);  // MPI_Abort does not return; this keeps [[noreturn]] honest if it did
}

}  // namespace gg::distributed
