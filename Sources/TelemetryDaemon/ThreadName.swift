import Foundation

/// Names of the daemon's own threads, as `top -H`, `ps -L` and `perf` show them.
///
/// Linux keeps at most 15 bytes of a thread's name and refuses a longer one outright (the
/// thread keeps the name of the thread that started it), so every name here fits, and
/// `apply` checks that in debug builds. A name is applied by the thread itself: Foundation's
/// `Thread.name`, set before `start()`, never reaches the kernel on Linux.
enum ThreadName {
    /// The most bytes of a name Linux keeps (`TASK_COMM_LEN` − 1).
    static let limit = 15
    static let aggregator = "td-aggregator"

    /// Names the calling thread `name` (for the kernel, and for Foundation's `Thread.name`).
    static func apply(_ name: String) {
        assert(name.utf8.count <= limit, "thread name \(name) is longer than Linux's \(limit) bytes")
        Thread.current.name = name
    }
}
