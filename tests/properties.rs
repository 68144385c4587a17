//! Property tests: the reader never panics, whatever the text.
