package dev.multiproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link PoolOptions} and {@link WorkerOptions}: defaults, copies and validation messages. */
class OptionsTest {

  @Test
  void poolDefaults() {
    PoolOptions d = PoolOptions.defaults();
    assertThat(d.workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(d.name()).isEqualTo("pool");
    assertThat(d.initializer()).isEmpty();
    assertThat(d.maxTasksPerWorker()).isZero();
    assertThat(d.chunkSize()).isZero();
    assertThat(d.taskTimeout()).isEmpty();
    assertThat(d.retriesOnWorkerDeath()).isZero();
    assertThat(PoolOptions.builder().build()).usingRecursiveComparison().isEqualTo(d);
  }

  @Test
  void poolSettingsAndCopies() {
    Task init = () -> {};
    PoolOptions o = PoolOptions.builder().workers(3).name("crunch").initializer(init).maxTasksPerWorker(10)
        .chunkSize(64).taskTimeout(Duration.ofSeconds(30)).retriesOnWorkerDeath(2).build();
    assertThat(o.workers()).isEqualTo(3);
    assertThat(o.name()).isEqualTo("crunch");
    assertThat(o.initializer()).containsSame(init);
    assertThat(o.maxTasksPerWorker()).isEqualTo(10);
    assertThat(o.chunkSize()).isEqualTo(64);
    assertThat(o.taskTimeout()).contains(Duration.ofSeconds(30));
    assertThat(o.retriesOnWorkerDeath()).isEqualTo(2);
    assertThat(o.toBuilder().build()).usingRecursiveComparison().isEqualTo(o);
    PoolOptions changed = o.toBuilder().workers(1).build();
    assertThat(changed.workers()).isEqualTo(1);
    assertThat(o.workers()).as("the original is unchanged").isEqualTo(3);
    assertThat(o).hasToString("PoolOptions{workers=3, name=crunch, initializer=true, maxTasksPerWorker=10, "
        + "chunkSize=64, taskTimeout=PT30S, retriesOnWorkerDeath=2}");
    assertThat(PoolOptions.builder().workers(1).maxTasksPerWorker(0).chunkSize(0).retriesOnWorkerDeath(0).build().workers())
        .as("zero is allowed where it means 'never' or 'automatic'").isEqualTo(1);
  }

  @Test
  void poolValidationMessages() {
    assertThatIllegalArgumentException().isThrownBy(() -> PoolOptions.builder().workers(0))
        .withMessage("workers must be at least 1, got 0");
    assertThatIllegalArgumentException().isThrownBy(() -> PoolOptions.builder().workers(-3))
        .withMessage("workers must be at least 1, got -3");
    assertThatNullPointerException().isThrownBy(() -> PoolOptions.builder().name(null)).withMessage("name");
    assertThatIllegalArgumentException().isThrownBy(() -> PoolOptions.builder().name(" \t"))
        .withMessage("name must not be blank");
    assertThatNullPointerException().isThrownBy(() -> PoolOptions.builder().initializer(null)).withMessage("initializer");
    assertThatIllegalArgumentException().isThrownBy(() -> PoolOptions.builder().maxTasksPerWorker(-1))
        .withMessage("maxTasksPerWorker must be 0 (never replace) or positive, got -1");
    assertThatIllegalArgumentException().isThrownBy(() -> PoolOptions.builder().chunkSize(-1))
        .withMessage("chunkSize must be 0 (automatic) or positive, got -1");
    assertThatNullPointerException().isThrownBy(() -> PoolOptions.builder().taskTimeout(null)).withMessage("taskTimeout");
    assertThatIllegalArgumentException().isThrownBy(() -> PoolOptions.builder().taskTimeout(Duration.ZERO))
        .withMessage("taskTimeout must be positive, got PT0S");
    assertThatIllegalArgumentException().isThrownBy(() -> PoolOptions.builder().taskTimeout(Duration.ofMillis(-1500)))
        .withMessage("taskTimeout must be positive, got PT-1.5S");
    assertThatIllegalArgumentException().isThrownBy(() -> PoolOptions.builder().retriesOnWorkerDeath(-1))
        .withMessage("retriesOnWorkerDeath must be 0 or positive, got -1");
  }

  @Test
  void workerOptions() {
    assertThat(WorkerOptions.defaults().name()).isEmpty();
    assertThat(WorkerOptions.defaults().daemon()).isFalse();
    WorkerOptions o = WorkerOptions.builder().name("sender").daemon(true).build();
    assertThat(o.name()).contains("sender");
    assertThat(o.daemon()).isTrue();
    assertThat(o).hasToString("WorkerOptions{name=sender, daemon=true}");
    assertThatNullPointerException().isThrownBy(() -> WorkerOptions.builder().name(null)).withMessage("name");
    assertThatIllegalArgumentException().isThrownBy(() -> WorkerOptions.builder().name(""))
        .withMessage("name must not be blank");
  }
}
