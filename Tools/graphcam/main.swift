print("graphcam")
