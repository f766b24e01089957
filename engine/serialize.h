#pragma once
// Checkpoints in the safetensors format (https://github.com/huggingface/safetensors), so other
// tools can read what we train: an 8-byte little-endian header length N, N bytes of JSON that
// describe each tensor (dtype, shape, byte range), then the packed tensor bytes.
// Every error is a std::runtime_error whose message starts with the file's path.
#include <map>
#include <string>

#include "engine/tensor.h"

namespace gg {


// Writes tensors (any device; copied to host) and optional string metadata ("__metadata__").
// Atomic: writes <path>.tmp.<pid> in the same directory, fsyncs it, renames it over path and
// fsyncs the directory, so a crash never leaves a half-written file at `path`.
void save_safetensors(const std::string& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata = {});

struct SafetensorsFile {
  TensorMap tensors;
  std::map<std::string, std::string> metadata;
};

// Reads and validates a whole file; the tensors are placed on `device`.
SafetensorsFile load_safetensors(const std::string& path, Device device = Device::cpu());

// Copies each tensor of the file into the same-named tensor of `into` (shape and dtype must match
// exactly); strict also requires the two sets of names to be equal. Every mismatch is reported
// in one error, and nothing is copied unless all tensors match.
void load_into(const std::string& path, const TensorMap& into, bool strict = true);

}  // namespace gg
