#include "nets/toy_training.h"

#include <chrono>
#include <numeric>

#include "data/toy_task.h"
#include "engine/optim.h"
#include "nets/tiny_cnn.h"

namespace gg::nets {

namespace {

double accuracy(TinyCnn& model, const data::LabelledImages& set, Generator& gen) {
  NoGrad no_grad;
  model.eval();
  const std::vector<int> predicted = argmax_rows(model.forward(set.images, gen));
  model.train();
  int correct = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == set.labels[i];
  return static_cast<double>(correct) / static_cast<double>(predicted.size());
}

// Rows [begin, end) of a labelled set, in the order given by `order`.
data::LabelledImages gather(const data::LabelledImages& set, const std::vector<int>& order, std::size_t begin,
                            std::size_t end) {
  const std::int64_t per_image = set.images.numel() / set.images.size(0);
  data::LabelledImages out;
  Shape shape = set.images.shape();
  shape[0] = static_cast<std::int64_t>(end - begin);
  out.images = Tensor::empty(shape, set.images.options());
  const float* src = set.images.data<float>();
  float* dst = out.images.data<float>();
  for (std::size_t i = begin; i < end; ++i) {
    const auto idx = static_cast<std::size_t>(order[i]);
    std::copy(src + idx * per_image, src + (idx + 1) * per_image, dst + (i - begin) * per_image);
    out.labels.push_back(set.labels[idx]);
  }
  return out;
}

}  // namespace

ToyRunResult train_toy_classifier(const ToyRunConfig& config, const std::function<void(const ToyEpochReport&)>& on_epoch) {
  Generator data_gen(config.seed, 0), init_gen(config.seed + 1), shuffle_gen(config.seed + 2), dropout_gen(config.seed + 3);
  const data::LabelledImages train = data::make_bars(config.train_count, config.image_size, config.noise, data_gen);
  const data::LabelledImages test = data::make_bars(config.test_count, config.image_size, config.noise, data_gen);
  TinyCnn model(config.image_size, data::kToyClasses, init_gen);
  Adam optimizer(model.parameters(), {.lr = config.lr});
  StepLR schedule(optimizer, 4, 0.3);

  ToyRunResult result;
  result.parameters = model.parameter_count();
  std::vector<int> order(static_cast<std::size_t>(config.train_count));
  std::iota(order.begin(), order.end(), 0);
  for (int epoch = 1; epoch <= config.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = order.size(); i > 1; --i)  // Fisher-Yates from the Philox stream
      std::swap(order[i - 1], order[static_cast<std::size_t>(shuffle_gen.uniform() * static_cast<double>(i))]);
    double loss_sum = 0;
    int batches = 0;
    for (std::size_t b = 0; b + static_cast<std::size_t>(config.batch) <= order.size(); b += static_cast<std::size_t>(config.batch)) {
      const data::LabelledImages batch = gather(train, order, b, b + static_cast<std::size_t>(config.batch));
      optimizer.zero_grad();
      const Tensor loss = cross_entropy(model.forward(batch.images, dropout_gen), batch.labels);
      loss.backward();
      optimizer.step();
      result.batch_losses.push_back(loss.item());
      loss_sum += result.batch_losses.back();
      ++batches;
    }
    schedule.step();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.epochs.push_back({epoch, loss_sum / batches, accuracy(model, test, dropout_gen), seconds});
    if (on_epoch) on_epoch(result.epochs.back());
  }
  return result;
}

}  // namespace gg::nets
