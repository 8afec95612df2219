package dev.multiproc.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Backend;
import dev.multiproc.Event;
import dev.multiproc.NotShippableException;
import dev.multiproc.Queue;
import dev.multiproc.Task;
import dev.multiproc.engine.LocalBackend;
import dev.multiproc.engine.ThreadMaker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What cannot travel to a member is named; a handle of another backend says what happened. */
class ShippingTest {

  @Test
  void aHandleOfAnInJvmBackendCapturedByAHazelcastTaskSaysWhatHappened() {
    try (Backend threads = new LocalBackend("thread", ThreadMaker.platform(), Duration.ofSeconds(5))) {
      Queue<Integer> wrong = threads.newQueue(0);
      Event alsoWrong = threads.newEvent();
      Task task = () -> wrong.put(1);
      Task other = () -> alsoWrong.set();

      assertThatThrownBy(() -> Shipping.serialize(task, "the task"))
          .isInstanceOf(NotShippableException.class)
          .hasMessageContaining("cannot be sent to a Hazelcast member: it captures a Queue made by an in-JVM backend")
          .hasMessageContaining("Make the handle with the same backend as the task: Multiproc.backend(\"hazelcast\")")
          .hasMessageNotContaining("must be Serializable");
      assertThatThrownBy(() -> Shipping.serialize(other, "the task"))
          .isInstanceOf(NotShippableException.class).hasMessageContaining("it captures an Event made by an in-JVM backend");
    }
  }

  @Test
  void plainValuesStillTravel() {
    int[] numbers = {1, 2, 3};
    assertThat((int[]) Shipping.deserialize(Shipping.serialize(numbers, "an item"), "an item")).containsExactly(1, 2, 3);
    assertThat(Shipping.foreignHandle("a string")).isNull();
  }
}
