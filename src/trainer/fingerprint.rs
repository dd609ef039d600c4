//! Fingerprints that tie a training state to the weights and the text it belongs to (and connectivity's kept
//! states to theirs).

/// FNV-1a (64 bit) over 32-bit words: a fingerprint, not a cryptographic hash.
pub(crate) fn fingerprint(words: impl IntoIterator<Item = u32>) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for w in words {
        for byte in w.to_le_bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// The text as split for a run: the length of the training part, then the training and validation ids. The
/// trainer keeps it from [`Trainer::set_text`] on, so saving a state does not hash the whole text again.
pub(super) fn text_fingerprint(train_ids: &[u32], val_ids: &[u32]) -> u64 {
    fingerprint(
        std::iter::once(train_ids.len() as u32)
            .chain(train_ids.iter().copied())
            .chain(val_ids.iter().copied()),
    )
}
