package dev.facesieve.transforms;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The join of decisions back to faces keeps every bucket under Beam's co-group cache. */
class CleanFacesBucketsTest {
  @Test
  void decimalIdsSpreadOverEveryBucketAt500kFaces() {
    // 494,995 prepared faces of a 500K RecordIO (keys "1" to "525000"): sizedFor gives 248 buckets,
    // and each must stay well under the 10,000-element cache of a co-group (faces + decisions)
    int faces = 494_995;
    int buckets = (2 * faces + 3_999) / 4_000;
    int[] elements = new int[buckets];
    for (int key = 1; key <= faces; key++) {
      elements[CleanFaces.bucket(Integer.toString(key), buckets)] += 2;
    }
    int max = 0;
    for (int e : elements) {
      max = Math.max(max, e);
    }
    assertTrue(max < 6_000, "largest group " + max + " elements of " + buckets + " buckets");
  }
}
