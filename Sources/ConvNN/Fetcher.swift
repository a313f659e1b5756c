import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Why a download failed: the URL and the reason (no network, an HTTP status, a full disk).
struct FetchFailure: Error {
    let url: String
    let reason: String
}

/// Downloads one URL to a file with progress callbacks, blocking the caller.
final class Fetcher: NSObject, URLSessionDownloadDelegate, @unchecked Sendable {
    private let progress: ((Int64, Int64?) -> Void)?
    private let done = DispatchSemaphore(value: 0)
    private var destination = ""
    private var failure: String?

    init(progress: ((Int64, Int64?) -> Void)?) { self.progress = progress }

    func fetch(_ url: URL, to path: String, timeout: Double) throws {
        destination = path
        let configuration = URLSessionConfiguration.default
        configuration.timeoutIntervalForRequest = timeout
        let client = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
        client.downloadTask(with: url).resume()
        done.wait()
        client.finishTasksAndInvalidate()
        if let failure { throw FetchFailure(url: url.absoluteString, reason: failure) }
    }

    func urlSession(
        _ client: URLSession, downloadTask: URLSessionDownloadTask, didWriteData bytesWritten: Int64,
        totalBytesWritten: Int64, totalBytesExpectedToWrite: Int64
    ) {
        progress?(totalBytesWritten, totalBytesExpectedToWrite > 0 ? totalBytesExpectedToWrite : nil)
    }

    func urlSession(_ client: URLSession, downloadTask: URLSessionDownloadTask, didFinishDownloadingTo location: URL) {
        if let http = downloadTask.response as? HTTPURLResponse, http.statusCode != 200 {
            failure = "HTTP status \(http.statusCode)"
            return
        }
        do {
            try? FileManager.default.removeItem(atPath: destination)
            try FileManager.default.moveItem(at: location, to: URL(fileURLWithPath: destination))
        } catch {
            failure = "cannot save the download: \(error.localizedDescription)"
        }
    }

    func urlSession(_ client: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let error { failure = error.localizedDescription }
        done.signal()
    }
}
