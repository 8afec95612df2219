package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The arrays a child reads its chunks' messages into ({@link ChildChannel#messageArrays()}). */
class SpareArraysTest {

  @Test
  void anArrayGivenBackTakesTheNextMessageItFitsAndIsHandedOutOnce() {
    SpareArrays arrays = ChildChannel.messageArrays();
    byte[] chunk = arrays.take(50_000);
    assertThat(chunk).hasSize(50_000);
    arrays.giveBack(chunk);
    assertThat(arrays.take(40_000) == chunk).as("a message of at least half its size takes it").isTrue();
    byte[] next = arrays.take(40_000);
    assertThat(next == chunk).as("handed out once").isFalse();
    assertThat(next).hasSize(40_000);
  }

  @Test
  void smallMessagesAndArraysTooLargeOrTooSmallAreNotServedFromKeptArrays() {
    SpareArrays arrays = ChildChannel.messageArrays();
    byte[] chunk = arrays.take(50_000);
    arrays.giveBack(chunk);
    assertThat(arrays.take(100)).as("a small message gets an array of its own").hasSize(100);
    assertThat(arrays.take(20_000)).as("less than half the kept array").hasSize(20_000);
    assertThat(arrays.take(60_000)).as("larger than the kept array").hasSize(60_000);
    assertThat(arrays.take(50_000) == chunk).as("still kept for a message it fits").isTrue();

    byte[] huge = new byte[(1 << 20) + 1];
    arrays.giveBack(huge);
    arrays.giveBack(new byte[16]);
    assertThat(arrays.take(huge.length) == huge).as("more than 1 MiB is not kept").isFalse();
  }

  @Test
  void atMostFourArraysAreKept() {
    SpareArrays arrays = ChildChannel.messageArrays();
    List<byte[]> given = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      given.add(new byte[4096]);
      arrays.giveBack(given.get(i));
    }
    Set<byte[]> taken = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < 5; i++) {
      taken.add(arrays.take(4096));
    }
    long kept = given.stream().filter(taken::contains).count();
    assertThat(kept).as("arrays given back that were handed out again").isEqualTo(4);
    assertThat(taken).hasSize(5);
  }
}
