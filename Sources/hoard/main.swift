import CHoardStartup
import HoardClient

hoardRestoreEnvironment()
ClientMain.run()
