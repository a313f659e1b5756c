/// Work items over a batch of images cut into bands of rows, as the direct convolution, the
/// few-channel backward-data kernel and pooling split their work: whole images when the batch
/// alone gives every thread about four items, otherwise enough bands per image.
struct RowBands {
    /// Rows per band (the last band of an image may be shorter).
    let rows: Int
    /// Bands per image.
    let perImage: Int
    let images: Int

    /// Bands of `rows` rows for `images` images and a budget of `threads`.
    init(rows total: Int, images: Int, threads: Int) {
        let bands = min(total, max(1, ceilDiv(4 * threads, images)))
        rows = ceilDiv(total, bands)
        perImage = ceilDiv(total, rows)
        self.images = images
        totalRows = total
    }

    private let totalRows: Int

    /// The number of work items, `images * perImage`.
    var count: Int { images * perImage }

    /// Image and row range `r0..<r1` of work item `item`.
    func band(_ item: Int) -> (image: Int, r0: Int, r1: Int) {
        let r0 = (item % perImage) * rows
        return (item / perImage, r0, min(totalRows, r0 + rows))
    }

    /// Runs `body(item, image, r0, r1)` for every band, in parallel (at most `threads` threads).
    func forEach(threads: Int, _ body: (_ item: Int, _ image: Int, _ r0: Int, _ r1: Int) -> Void) {
        Parallel.forEach(count, threads: threads) { item in
            let (n, r0, r1) = band(item)
            body(item, n, r0, r1)
        }
    }
}
