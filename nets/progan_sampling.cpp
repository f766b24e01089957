#include "nets/progan_sampling.h"

#include <cmath>
#include <stdexcept>

#include "engine/autograd.h"
#include "nets/progan_metrics.h"
#include "nets/progan_trainer.h"

namespace gg::nets {

const char* gan_weights_name(GanWeights weights) { return weights == GanWeights::ema ? "ema" : "raw"; }

GanWeights parse_gan_weights(const std::string& text) {
  if (text == "ema") return GanWeights::ema;
  if (text == "raw") return GanWeights::raw;
  throw std::invalid_argument("weights must be 'ema' (the generator's moving average Gs) or 'raw' (G), got '" + text + "'");
}

Tensor draw_latents(int count, int latent_size, Generator& gen, bool truncation_free, Device device) {
  Tensor z = Tensor::randn({count, latent_size}, gen);
  if (!truncation_free) {
    float* v = z.data<float>();
    for (std::int64_t i = 0; i < z.numel(); ++i)
      while (std::fabs(v[i]) > kTruncation) v[i] = static_cast<float>(Tensor::randn({1}, gen).item());
  }
  return z.to(device);
}

Tensor generate_images(ProganGenerator& generator, const ProganConfig& net, const SchedulePoint& point,
                       const std::vector<int>& classes, Generator& gen, bool truncation_free, int batch, Device device) {
  if (batch <= 0) throw std::invalid_argument("generate_images: batch must be positive");
  const int count = static_cast<int>(classes.size());
  std::vector<Tensor> parts;
  for (int start = 0; start < count; start += batch) {
    const int n = std::min(batch, count - start);
    const std::vector<int> batch_classes(classes.begin() + start, classes.begin() + start + n);
    const Tensor latents = draw_latents(n, progan_latent_size(net), gen, truncation_free, device);
    NoGrad no_grad;
    const Tensor labels = net.num_classes > 0 ? one_hot(batch_classes, net.num_classes, {DType::f32, device}) : Tensor();
    parts.push_back(generator.forward(latents, labels, point.level, point.alpha).to(Device::cpu()));
  }
  if (parts.empty()) throw std::invalid_argument("generate_images: no classes given");
  return parts.size() == 1 ? parts[0] : concat(parts, 0);
}

data::Dataset images_to_dataset(const Tensor& images, const std::vector<int>& labels,
                                std::vector<std::string> class_names, const std::string& id_prefix) {
  const ByteImages bytes = to_byte_images(images);
  if (static_cast<std::size_t>(bytes.count) != labels.size()) {
    throw std::invalid_argument("images_to_dataset: " + std::to_string(bytes.count) + " images but " +
                                std::to_string(labels.size()) + " labels");
  }
  std::vector<std::uint8_t> pixels(bytes.values.size());
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(bytes.values[i]);
  std::vector<data::SampleInfo> infos;
  for (int i = 0; i < bytes.count; ++i) infos.push_back({.split = "", .ifo = "GAN", .id = id_prefix + std::to_string(i)});
  return data::Dataset(std::move(class_names), bytes.channels, bytes.height, bytes.width, std::move(pixels), labels,
                       std::move(infos));
}

}  // namespace gg::nets
