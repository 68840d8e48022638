import HoardClient

ClientMain.run()
